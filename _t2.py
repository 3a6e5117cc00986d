import cProfile, pstats
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.evaluate import evaluate, default_recipe
from evaluator.stages.diagnostics import diagnose
from evaluator.resources import demo_panel_path
fw = load_framework("resource_city_transition")
a = evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))
cProfile.run("diagnose(a)", "/tmp/prof")
pstats.Stats("/tmp/prof").sort_stats("cumulative").print_stats(18)
