"""SynLeaF Desktop: synthetic-lethality prediction with the SynLeaF method.

Layers (data flows one way, nothing below ``gui`` imports Qt)::

    io -> data -> model/train -> bundle -> scoring -> gui / cli
"""

__version__ = "0.1.0"
