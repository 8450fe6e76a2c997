"""A repository of N environments, each a copy of this repository's production (its charts, plain
manifests and kustomize overlay: about 37 objects from six releases, four of them charts), on main;
and a branch `pr` that changes a shared chart (a label in charts/blog's helpers): the preview
benchmark's pull request.
   generate_preview_repo.py SOURCE_REPO OUT N"""
import os
import re
import shutil
import subprocess
import sys

source, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
for item in ["charts", "platform", "policies", "crds"]:
    shutil.copytree(os.path.join(source, item), os.path.join(out, item))
with open(os.path.join(source, "gitops.yaml")) as f:
    settings = f.read()
# No promotion order: the generated environments are named env-00 ... env-NN.
settings = re.sub(r"\n  promotion:\n    # [^\n]*\n    order: \[[^\]]*\]", "", settings)
with open(os.path.join(out, "gitops.yaml"), "w") as f:
    f.write(settings)
production = os.path.join(source, "environments", "production")
for index in range(count):
    name = "env-%02d" % index
    target = os.path.join(out, "environments", name)
    shutil.copytree(production, target)
    path = os.path.join(target, "environment.yaml")
    with open(path) as f:
        text = f.read()
    text = text.replace("name: production", "name: " + name).replace("blog-production", "blog-" + name)
    text = re.sub(r"  cluster:\n    context: prod\n", "", text)
    text = re.sub(r"  promotion:\n    from: staging\n", "", text)
    text = text.replace("environments/production/", "environments/%s/" % name)
    with open(path, "w") as f:
        f.write(text)
    for root, _, files in os.walk(target):
        for file in files:
            p = os.path.join(root, file)
            if p.endswith(".sops.yaml"):
                continue
            with open(p) as f:
                content = f.read()
            with open(p, "w") as f:
                f.write(content.replace("blog-production", "blog-" + name).replace("environments/production/", "environments/%s/" % name))


def git(*args):
    subprocess.run(["git", "-C", out, "-c", "user.name=Bench", "-c", "user.email=bench@example.org"] + list(args), check=True, stdout=subprocess.DEVNULL)


git("init", "-q", "-b", "main")
git("add", "-A")
git("commit", "-q", "-m", "%d environments like production" % count)
git("checkout", "-q", "-b", "pr")
helpers = os.path.join(out, "charts", "blog", "templates", "_helpers.tpl")
with open(helpers) as f:
    text = f.read()
marker = "app.kubernetes.io/part-of: blog"
assert marker in text, "charts/blog's helpers no longer set part-of; change the benchmark's edit"
with open(helpers, "w") as f:
    f.write(text.replace(marker, marker + "\ngitops.example.org/team: web", 1))
git("commit", "-q", "-am", "blog chart: a team label on every object")
