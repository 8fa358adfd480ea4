"""One module per ``storebridge`` subcommand; each exposes ``register(subparsers)``."""
