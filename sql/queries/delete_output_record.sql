DELETE FROM pipeline.output_records WHERE output = $output AND period = $period;
