from leadcard.cli import main

main()
