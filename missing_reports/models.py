# Missing episodes arrive with issue 3.
