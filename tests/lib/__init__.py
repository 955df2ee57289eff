"""Tests of the aioequiwatt library and its command line, from the source or the installed wheel."""
