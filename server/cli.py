"""Command-line tools: demo data and user creation."""
import click


def register_cli(app) -> None:
    from server import demo

    @app.cli.command("demo")
    def demo_cmd():
        """Fill an empty database with the demo; leave a database with data alone."""
        click.echo(demo.seed())

    users = click.Group("users", help="Manage users.")

    @users.command("create")
    @click.option("--name", required=True)
    @click.option("--phone", required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--role", type=click.Choice(["member", "organizer", "liaison", "admin"]), default="member")
    @click.option("--org", "org_id", type=int, help="organization id (branch of a member, scope of an organizer)")
    @click.option("--community", "community_id", type=int, help="community id (scope of a liaison)")
    def create_user_cmd(name, phone, password, role, org_id, community_id):
        """Create a user with a role and its scope."""
        click.echo(demo.create_user_cli(name, phone, password, role, org_id, community_id))

    app.cli.add_command(users)
