SELECT sha256 FROM raw.received_files;
