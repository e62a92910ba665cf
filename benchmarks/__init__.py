"""The scale benchmark: synthetic country, history load, timed runs, bare-read floor."""
