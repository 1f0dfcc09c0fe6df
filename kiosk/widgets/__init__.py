"""The whiteboard's pieces: big clock and counts, SMS link strip, banners, the visits table.

Widgets render what they are given (attributes down) and never read the database or the clock
themselves: the board screen hands them a loaded BoardView and "now".
"""
