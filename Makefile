# The few verbs a newcomer needs: `make run` serves the demo shop, `make test` runs every test.
VENV    ?= .venv
PYTHON  ?= python3
PORT    ?= 5000
FLASK   := $(VENV)/bin/flask --app wsgi
STAMP   := $(VENV)/.installed
MO      := translations/vi/LC_MESSAGES/messages.mo

.PHONY: install run serve test lint db demo translations extract-messages clean

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO)

extract-messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

db: install
	$(FLASK) db upgrade

demo: db
	@if [ ! -f instance/.demo-loaded ]; then \
	  $(FLASK) shop seed-demo && mkdir -p instance && touch instance/.demo-loaded; \
	else echo "demo data already loaded (delete instance/.demo-loaded to load it again)"; fi

run: demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: demo
	$(VENV)/bin/gunicorn --config gunicorn.conf.py wsgi:app

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache $(MO)
