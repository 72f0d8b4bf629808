from acting_mirror.cli import console_main

console_main()
