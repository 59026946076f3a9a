"""Exchange with the tools privacy officers already use: the register as an Excel workbook (and back),
a CNIL PIA file for one activity, and a fideslang manifest of the systems."""
