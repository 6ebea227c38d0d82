"""Flask, as its tutorial writes it, for the HTTP benchmark (run by gunicorn's sync workers).

Reads what to serve from the BENCH_SPEC environment variable (JSON written by
bench/http/app-spec.ts), so the route table, session secret and page data are the same
as the Node servers'. Its signed-cookie session and Jinja templates are Flask's own.
"""
import json
import os

from flask import Flask, render_template, session

spec = json.loads(os.environ["BENCH_SPEC"])

app = Flask(__name__, static_folder=None, template_folder=spec["templates"])
app.config["SECRET_KEY"] = spec["secret"]
app.config["SESSION_COOKIE_NAME"] = spec["cookie"]


@app.get("/")
def hello():
    return spec["hello"]


@app.get("/json")
def hello_json():
    return spec["json"]


@app.get("/page")
def page():
    count = session.get("count", 0) + 1
    session["count"] = count
    return render_template(spec["template"], title=spec["title"], count=count, items=spec["items"])


def table_view(name, keys):
    def view(**params):
        values = [params[k] for k in keys]
        return f"{name} {' '.join(values)}" if values else name

    return view


for i, route in enumerate(spec["routes"]):
    app.add_url_rule(
        route["rule"],
        endpoint=f"table_{i}",
        view_func=table_view(route["name"], route["keys"]),
        methods=[route["method"]],
    )
