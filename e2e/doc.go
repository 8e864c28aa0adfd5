// Package e2e drives the built site (dist/) in headless Chromium, as a user would: it loads the
// pages, trains a small run on the CPU engine in the worker, checks the numbers, and measures how
// quickly the page answers while training. The tests run only with LENETLAB_E2E=1 (./build.sh test
// sets it); then a missing Chromium or dist/ is a failure, not a skip. LENETLAB_DIST names the
// built site (default ../dist), LENETLAB_CHROMIUM the browser (default /usr/bin/chromium).
// LENETLAB_E2E_BENCH=1 adds a throughput measurement of a few hundred batches.
package e2e
