"""``make bench``: every benchmark prints one JSON line with its baseline measured in the same run."""
