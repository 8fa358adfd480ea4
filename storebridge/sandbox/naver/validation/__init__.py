"""Validation of product bodies by the Naver simulator, written from the reference, not the client.

``validate_product`` checks a create/update body and returns every problem at once as
``invalidInputs`` items, collected by a ``Checker``; ``product`` holds the top level, images and the
channel product, ``detail``, ``delivery`` and ``options`` the nested attributes. Keeping the rules
independent of StoreBridge's own models means a client bug is caught rather than mirrored.
"""

from storebridge.sandbox.naver.validation.checker import Checker
from storebridge.sandbox.naver.validation.options import check_option_info
from storebridge.sandbox.naver.validation.product import ExistingProduct, ProductRules, validate_product

__all__ = ["Checker", "ExistingProduct", "ProductRules", "check_option_info", "validate_product"]
