// `miniredis healthcheck --url http://127.0.0.1:PORT/readyz`: the container HEALTHCHECK of images
// that ship no shell and no curl. Exits 0 when the URL answers 2xx within the timeout, 1 otherwise.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace mr {

/// GETs `url` (plain http://) once; Ok on a 2xx answer, otherwise an error naming the status or
/// the failure (refused, timed out, bad URL).
Status CheckHealth(const std::string& url, std::chrono::milliseconds timeout);

/// argv[0] is "healthcheck"; flags: --url URL (required), --timeout DURATION (default 3s).
/// Prints one line (stdout when healthy, stderr otherwise) and returns the exit code.
int RunHealthcheck(int argc, char** argv);

}  // namespace mr
