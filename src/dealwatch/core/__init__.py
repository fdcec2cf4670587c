"""Kernel: value objects, clock, errors and the plug-in registry shared by every feature."""
