# Shortcuts for scripts/dev.py, which does the real work (and needs no make).
.PHONY: chat test run migrate i18n lint bench

chat:
	python3 scripts/dev.py chat
test:
	python3 scripts/dev.py test
run:
	python3 scripts/dev.py run
migrate:
	python3 scripts/dev.py migrate
i18n:
	python3 scripts/dev.py i18n
lint:
	python3 scripts/dev.py lint
bench:
	python3 scripts/dev.py bench
