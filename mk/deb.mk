# make deb: the Debian package (debian/), built with dpkg-buildpackage -b
# from a copy of the tree in build/deb/podinit-VERSION/, so dpkg-buildpackage's
# files stay out of the tree and the .deb lands in build/deb/:
# podinit_VERSION_ARCH.deb (+ the -dbgsym .deb, .buildinfo, .changes), then
# lintian on the .changes (build/deb/lintian.log; any E: fails).
# cJSON's source for podinit-static is fetched first, as make static does
# (scripts/cjson-source.sh, from the Debian mirror), and passed in
# PODINIT_CJSON_SRC: the package build itself needs no network.
#
# make test-deb: make deb, then tests/package/deb.bats (dpkg -i, checks,
# dpkg -r). Not root, or the tools cannot be installed: one line, success.

# Build-Depends (debian/control), build-essential (which dpkg-buildpackage
# requires besides them) and lintian.
PKG_DEB_DEPS := build-essential dpkg-dev debhelper libc6-dev libcjson-dev libcmocka-dev make \
                musl-tools pkg-config lintian
PKG_DEB_TEST_DEPS := bats man-db util-linux coreutils
PKG_DEB_DIR := $(abspath $(BUILD))/deb

.PHONY: deb test-deb

deb:
	@scripts/deps.sh $(PKG_DEB_DEPS)
	@set -e; mkdir -p $(BUILD); \
	version=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	arch=$$(dpkg --print-architecture); \
	src=$(PKG_DEB_DIR)/podinit-$$version; \
	cjson=$$(scripts/cjson-source.sh $(abspath $(BUILD))/cjson-src); \
	rm -rf $(PKG_DEB_DIR); mkdir -p $$src; \
	echo "== copying the tree to $$src"; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z --cached --others --exclude-standard \
	        | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C $$src; \
	else tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $$src; fi; \
	echo "== dpkg-buildpackage -b -us -uc (log: $(PKG_DEB_DIR)/build.log)"; \
	(cd $$src && PODINIT_CJSON_SRC=$$cjson PODINIT_GIT_HASH=$(GIT_HASH) \
	    dpkg-buildpackage -b -us -uc) >$(PKG_DEB_DIR)/build.log 2>&1 \
	    || { tail -n 40 $(PKG_DEB_DIR)/build.log; echo "make deb: dpkg-buildpackage failed"; exit 1; }; \
	rm -rf $$src; \
	changes=$(PKG_DEB_DIR)/podinit_$${version}_$$arch.changes; \
	echo "== lintian $$changes"; \
	lintian -I $$changes >$(PKG_DEB_DIR)/lintian.log 2>&1 || rc=$$?; \
	cat $(PKG_DEB_DIR)/lintian.log; \
	[ -z "$$rc" ] || { echo "make deb: lintian failed"; exit 1; }; \
	ls -l $(PKG_DEB_DIR)/*.deb

test-deb:
	@mkdir -p $(BUILD); \
	if [ "$$(id -u)" -ne 0 ]; then echo "deb tests: skipped: not root (dpkg -i needs it)"; \
	elif ! scripts/deps.sh $(PKG_DEB_DEPS) $(PKG_DEB_TEST_DEPS) >$(BUILD)/deb-deps.log 2>&1; then \
	    echo "deb tests: skipped: could not install $(PKG_DEB_DEPS) $(PKG_DEB_TEST_DEPS)"; \
	else $(MAKE) --no-print-directory deb && echo "== deb tests" && \
	    PODINIT_DEB_DIR=$(PKG_DEB_DIR) bats --timing tests/package/deb.bats; fi
