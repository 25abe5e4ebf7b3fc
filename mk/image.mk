# make image: the podinit image, FROM scratch with only the static build at
# /podinit (image/Dockerfile), built offline by a dockerd that
# scripts/build-image.sh starts for it (state in a temp dir, stopped and
# removed afterwards), tagged podinit:VERSION and podinit:latest (VERSION:
# what `podinit-static --version` reports, e.g. 0.1.0) and saved to
# $(BUILD)/podinit-image-VERSION.tar:
#
#   docker load -i build/podinit-image-0.1.0.tar
#   COPY --from=podinit:0.1.0 /podinit /podinit        # in a Dockerfile
#
# IMAGE_SOURCE: the org.opencontainers.image.source label (by default the
# git remote's URL when it is an https one; no label otherwise).
IMAGE_DEPS   := docker.io
IMAGE_SOURCE ?= $(shell git config --get remote.origin.url 2>/dev/null | grep '^https://')

.PHONY: image
image: static
	@scripts/deps.sh $(IMAGE_DEPS)
	@scripts/build-image.sh --source '$(IMAGE_SOURCE)' $(BUILD)/podinit-static $(BUILD)
