"""``make bench``: each benchmark prints one JSON line, its baseline measured in the same run."""
