# Golden numbers for sigsurv.survival.multiplicity: R p.adjust(method = "holm" | "BH").
# R 4.2.2, jsonlite 1.8.4 (Debian 12). From the repository root:
#     Rscript tests/data/survival/multiplicity/make.R
# Writes goldens.json beside this script (NA written as null).
suppressPackageStartupMessages(library(jsonlite))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
set.seed(20261130)
vectors <- list(
  textbook = c(0.01, 0.04, 0.03, 0.5),
  ties = c(0.02, 0.02, 0.02, 0.9, 0.001, 0.001),
  with_missing = c(0.04, NA, 0.01, 0.2, NA, 0.03),
  single = c(0.03),
  all_missing = c(NA_real_, NA_real_),
  zeros_and_ones = c(0, 1, 0.5, 0, 1),
  uniform_40 = runif(40),
  skewed_200 = runif(200)^4
)
out <- list(versions = list(R = R.version.string), cases = list())
for (name in names(vectors)) {
  p <- vectors[[name]]
  out$cases[[name]] <- list(p = p, holm = p.adjust(p, "holm"), BH = p.adjust(p, "BH"))
}
writeLines(toJSON(out, digits = NA, na = "null", pretty = TRUE),
           file.path(here, "goldens.json"))
