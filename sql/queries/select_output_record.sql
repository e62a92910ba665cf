-- What a period's output was last made from (no row: never recorded).
SELECT inputs_digest, outputs_state, metadata
FROM pipeline.output_records
WHERE output = $output AND period = $period;
