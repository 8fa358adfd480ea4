"""domeggook."""
