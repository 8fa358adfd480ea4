"""StoreBridge: copies Domeggook wholesale items to Naver Smart Store within both APIs' rate limits."""

__version__ = "0.1.0"
