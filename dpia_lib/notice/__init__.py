"""The privacy statement (GDPR arts. 13 and 14) generated from the register, and the gap check of a
published statement against the register."""
