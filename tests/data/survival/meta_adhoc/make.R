# Golden numbers for the truncated Knapp-Hartung pool of sigsurv.survival.meta
# (test = "adhoc", as metafor's rma(test = "adhoc")): the factor of the Knapp-Hartung
# variance is max(1, Q_w / (k - 1)). Issue 21: every pool of reproduce below 5 cohorts,
# and in particular every k = 2 pool, must equal this.
# R 4.2.2, metafor 3.8-1, jsonlite (Debian 12). From the repository root:
#     Rscript tests/data/survival/meta_adhoc/make.R
# Writes goldens.json beside this script. REML run to convergence (threshold 1e-13).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
tight <- list(threshold = 1e-13, tol = 1e-13, maxiter = 10000)

datasets <- list(
  # k = 2, concordant (Q < 1): untruncated KH would be narrower than the z interval
  list(name = "two cohorts, Q < 1", yi = c(0.14, 0.10), sei = c(0.09, 0.11),
       labels = c("a", "b")),
  # k = 2, discordant (Q > 1): truncation changes nothing
  list(name = "two cohorts, Q > 1", yi = c(-0.60, 0.20), sei = c(0.15, 0.20),
       labels = c("a", "b")),
  # the bundled run's miR-424/503 target proxy on OS (gse3143, gse4335; unadjusted)
  list(name = "mir424_503_targets os gse3143 gse4335", yi = c(0.12849316949720135,
       0.4562455529258991), sei = c(0.14765354317436183, 0.14822771886523653),
       labels = c("gse3143", "gse4335")),
  # k = 3 and k = 4 below the z threshold of 5 cohorts
  list(name = "three cohorts, homogeneous", yi = c(-0.51, -0.22, -0.80),
       sei = c(0.25, 0.18, 0.30), labels = c("a", "b", "c")),
  list(name = "four cohorts, less spread than chance", yi = c(0.30, 0.32, 0.28, 0.31),
       sei = c(0.20, 0.25, 0.30, 0.15), labels = c("w", "x", "y", "z"))
)

out <- list(versions = list(R = R.version.string,
                            metafor = as.character(packageVersion("metafor")),
                            jsonlite = as.character(packageVersion("jsonlite"))),
            control = tight, cases = list())
for (d in datasets) {
  for (test in c("adhoc", "knha")) {
    fit <- suppressWarnings(rma(yi = d$yi, sei = d$sei, method = "REML", test = test,
                                control = tight))
    pr <- predict(fit)
    out$cases[[length(out$cases) + 1]] <- list(
      name = d$name, test = test, yi = d$yi, sei = d$sei, labels = d$labels,
      b = c(fit$beta), se = fit$se, stat = fit$zval, pval = fit$pval,
      ci_lb = fit$ci.lb, ci_ub = fit$ci.ub, pi_lb = pr$pi.lb, pi_ub = pr$pi.ub,
      tau2 = fit$tau2, QE = fit$QE)
  }
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "goldens.json"))
