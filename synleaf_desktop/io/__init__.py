"""Readers and writers of outside formats (omics, labels, knowledge graphs, exports).

pandas/numpy only; no Qt, no torch.
"""
