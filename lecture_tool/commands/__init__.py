"""The command layer: each command's pipeline written once, where the stages meet. The stages
below (deck, render, jobs, checking, printing, serving) never call each other; a command
passes plain data from one to the next."""
