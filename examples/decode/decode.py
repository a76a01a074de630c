"""Decodes a Caesar-shifted message: python3 decode.py CODED SHIFT DECODED"""
import string
import sys

coded_path, shift, decoded_path = sys.argv[1:]
shift = int(shift)
lower, upper = string.ascii_lowercase, string.ascii_uppercase
table = str.maketrans(lower + upper, lower[-shift:] + lower[:-shift] + upper[-shift:] + upper[:-shift])

with open(coded_path, encoding='utf-8') as coded, open(decoded_path, 'w', encoding='utf-8') as decoded:
    decoded.write(coded.read().translate(table))
