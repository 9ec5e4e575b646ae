"""app layer: the use cases that both front ends (GUI and CLI) drive, without Qt.

It sits above ``scoring``: ``io → data → model/train → bundle → scoring → app → gui/cli``.
"""
