"""Scores judged by outcomes: measure the rules against real conversions (`evaluate`) and learn
better points from them, as readable seed changes (`calibrate`)."""
