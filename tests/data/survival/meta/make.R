# Golden numbers for sigsurv.survival.meta: metafor::rma for every method x test,
# predict() prediction intervals, weights() and leave1out(), on four data sets.
# R 4.2.2, metafor 3.8-1, jsonlite 1.8.4 (Debian 12). From the repository root:
#     Rscript tests/data/survival/meta/make.R
# Writes goldens.json beside this script.
#
# The iterative tau^2 estimators are run to convergence (threshold / uniroot tol 1e-13) so
# the goldens are the estimators themselves, not metafor's default stopping points
# (threshold 1e-5 for REML Fisher scoring, uniroot tol ~1.2e-4 for PM). The default-control
# tau^2 is stored as "tau2_default_control" to show how far those stopping points are.
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
tight <- list(threshold = 1e-13, tol = 1e-13, maxiter = 10000)

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets <- list(
  list(name = "dat.bcg log RR", yi = bcg$yi, sei = sqrt(bcg$vi),
       labels = paste(bcg$author, bcg$year)),
  list(name = "three cohorts, homogeneous", yi = c(-0.51, -0.22, -0.80),
       sei = c(0.25, 0.18, 0.30), labels = c("a", "b", "c")),
  list(name = "three cohorts, heterogeneous", yi = c(0.95, -0.20, 1.40),
       sei = c(0.30, 0.25, 0.45), labels = c("GSE1", "GSE2", "TCGA")),
  list(name = "five cohorts, one outlier", yi = c(-0.35, -0.10, -0.42, 0.60, -0.25),
       sei = c(0.12, 0.20, 0.15, 0.22, 0.30), labels = paste0("cohort", 1:5)),
  # Q < k - 1: tau^2 is truncated at 0 (DL, PM) or scored down to 0 (REML)
  list(name = "four cohorts, less spread than chance", yi = c(0.30, 0.32, 0.28, 0.31),
       sei = c(0.20, 0.25, 0.30, 0.15), labels = c("w", "x", "y", "z"))
)

fit_record <- function(fit) {
  pr <- predict(fit)
  list(b = c(fit$beta), se = fit$se, zval = fit$zval, pval = fit$pval,
       ci_lb = fit$ci.lb, ci_ub = fit$ci.ub, pi_lb = pr$pi.lb, pi_ub = pr$pi.ub,
       tau2 = fit$tau2, I2 = fit$I2, H2 = fit$H2, QE = fit$QE, QEp = fit$QEp,
       weights = unname(weights(fit)))
}

out <- list(versions = list(R = R.version.string,
                            metafor = as.character(packageVersion("metafor")),
                            jsonlite = as.character(packageVersion("jsonlite"))),
            control = tight, cases = list())
for (d in datasets) {
  for (method in c("REML", "PM", "DL", "FE")) {
    for (test in c("z", "knha")) {
      fit <- suppressWarnings(rma(yi = d$yi, sei = d$sei, method = method, test = test,
                                  control = tight))
      rec <- fit_record(fit)
      default_fit <- suppressWarnings(rma(yi = d$yi, sei = d$sei, method = method, test = test))
      rec$tau2_default_control <- default_fit$tau2
      l1o <- suppressWarnings(leave1out(fit))
      # leave1out names the statistic tval under knha and omits tau2 for FE
      stat <- if (is.null(l1o$zval)) l1o$tval else l1o$zval
      l1o_tau2 <- if (is.null(l1o$tau2)) rep(0, length(d$yi)) else l1o$tau2
      rec$leave1out <- list(estimate = l1o$estimate, se = l1o$se, zval = stat,
                            pval = l1o$pval, ci_lb = l1o$ci.lb, ci_ub = l1o$ci.ub,
                            Q = l1o$Q, Qp = l1o$Qp, tau2 = l1o_tau2, I2 = l1o$I2,
                            H2 = l1o$H2)
      out$cases[[length(out$cases) + 1]] <- c(
        list(name = d$name, method = method, test = test, yi = d$yi, sei = d$sei,
             labels = d$labels), rec)
    }
  }
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "goldens.json"))
