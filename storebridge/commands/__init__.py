"""One module per ``storebridge`` subcommand; each exposes ``register(subparsers)``.

``common`` holds what they share: item-number input, the service failures that end a command,
and ``CommandFailed``, the one way a command stops with a one-line error.
"""
