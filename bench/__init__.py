"""`make bench`: speed figures, each measured side by side with its floor in the same run."""
