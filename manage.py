#!/usr/bin/env python
from dayi.cli import main

if __name__ == "__main__":
    main()
