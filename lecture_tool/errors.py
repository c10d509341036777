"""The one exception the command line turns into a message and an exit code."""
import click


class LectureError(click.ClickException):
    """A problem that stops a command: printed as it is, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)
