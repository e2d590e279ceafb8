# Goldens for sigsurv.survival.cox_firth from R's coxphf (Heinze & Ploner), on the
# breast-cancer example of Heinze & Schemper (2001, Biometrics 57:114-119) that coxphf
# ships as `breast` (100 patients; T, N, G, CD; TIME, CENS), and on veteran with a
# covariate that causes monotone likelihood.
#
# coxphf is not packaged in Debian 12: it was installed from its CRAN source
# (version 1.13.4) into a private library, e.g.
#   R CMD INSTALL -l /tmp/rlib coxphf_source/
#   R_LIBS=/tmp/rlib Rscript make.R
# (requires r-cran-survival and gfortran). Convergence is tightened (epsilon 1e-10)
# so that the comparison measures the method, not coxphf's default stopping rule.
library(survival)
library(coxphf)
library(jsonlite)
here <- if (length(sys.frames())) dirname(sys.frame(1)$ofile) else "."
data(breast)
write.csv(breast, file.path(here, "breast.csv"), row.names = FALSE)

record <- function(fit) {
  list(
    terms = names(fit$coefficients),
    coef = unname(fit$coefficients),
    se = unname(sqrt(diag(fit$var))),
    ci_lower_pl = unname(fit$ci.lower),
    ci_upper_pl = unname(fit$ci.upper),
    p_pl = unname(fit$prob),
    loglik = unname(fit$loglik),
    iterations = fit$iter
  )
}
breast_fit <- coxphf(Surv(TIME, CENS) ~ T + N + G + CD, data = breast,
                     maxit = 200, epsilon = 1e-10)

veteran <- survival::veteran
veteran$early <- as.integer(veteran$time < 25 & veteran$status == 1)
veteran_fit <- coxphf(Surv(time, status) ~ early + karno + trt, data = veteran,
                      maxit = 200, epsilon = 1e-10)
out <- list(
  software = list(R = R.version.string, coxphf = as.character(packageVersion("coxphf")),
                  survival = as.character(packageVersion("survival"))),
  breast = record(breast_fit),
  veteran_monotone = record(veteran_fit)
)
write_json(out, file.path(here, "goldens.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
