"""Pure rules of the home-visit policies: no I/O, no textual, no serial, no peewee.

Given facts and "now", the domain decides; the store applies; devices and screens never decide.
"""
