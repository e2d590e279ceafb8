# Golden numbers for sigsurv's adjusted, stratified cox_scan: an R loop of
#   coxph(Surv(rfs_time, rfs_event) ~ gene + age + node + grade + strata(er))
# over the 300 genes of scan_gse1992.csv (export_scan_inputs.py), Efron ties, plus the
# covariates-only model (for the gene's likelihood-ratio test) and the score test of the
# gene at (0, covariate estimates) (coxph with init = c(0, gamma), iter = 0).
# Also the same loop without strata (adjusted only), with strata only, and with Breslow ties.
# Run here:  Rscript scan.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(jsonlite)})
d <- read.csv("scan_gse1992.csv", check.names = FALSE)
genes <- colnames(d)[-(1:7)]
# grade enters as a number (1-3): grade 1 has no event, so a factor would be infinite
designs <- list(
  adjusted_stratified = list(cov = "age + node + grade", strata = TRUE),
  adjusted = list(cov = "age + node + grade", strata = FALSE),
  stratified = list(cov = NULL, strata = TRUE),
  adjusted_stratified_breslow = list(cov = "age + node + grade", strata = TRUE, ties = "breslow"))
out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival"))),
            genes = genes, designs = list())
for (name in names(designs)) {
  ds <- designs[[name]]
  ties <- if (is.null(ds$ties)) "efron" else ds$ties
  rhs <- c(ds$cov, if (ds$strata) "strata(er)")
  reduced_rhs <- if (length(rhs)) paste(rhs, collapse = " + ") else "1"
  reduced <- coxph(as.formula(paste("Surv(rfs_time, rfs_event) ~", reduced_rhs)), data = d,
                   ties = ties)
  gamma <- coef(reduced)
  loglik_reduced <- if (is.null(gamma)) reduced$loglik[1] else reduced$loglik[2]
  res <- lapply(genes, function(g) {
    d$gene <- d[[g]]
    f <- as.formula(paste("Surv(rfs_time, rfs_event) ~", paste(c("gene", rhs), collapse = " + ")))
    fit <- coxph(f, data = d, ties = ties)
    s0 <- coxph(f, data = d, ties = ties, init = c(0, gamma),
                control = coxph.control(iter.max = 0))
    c(coef = unname(coef(fit)["gene"]), se = unname(sqrt(fit$var[1, 1])),
      p = unname(summary(fit)$coefficients["gene", "Pr(>|z|)"]),
      loglik = fit$loglik[2], iter = fit$iter, score = unname(s0$score))
  })
  m <- do.call(rbind, res)
  out$designs[[name]] <- list(loglik_reduced = loglik_reduced, coef = m[, "coef"],
                              se = m[, "se"], p = m[, "p"], loglik = m[, "loglik"],
                              iter = m[, "iter"], score = m[, "score"])
}
write_json(out, "scan.json", digits = NA, auto_unbox = TRUE)
