# Golden numbers for sigsurv's cox_zph: R cox.zph with transform = "km", "identity",
# "rank", "log": test table, transformed event times ($x), event times ($time), scaled
# Schoenfeld residuals ($y) and $var. Models on veteran (factor celltype: a term with
# three columns; Efron ties), veteran stratified by prior, gbsg with Breslow ties.
# Input: veteran.csv, gbsg.csv (export_datasets.R). Run here: Rscript zph.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(jsonlite)})
vet <- read.csv("veteran.csv")
gbsg <- read.csv("gbsg.csv")
models <- list(
  veteran = coxph(Surv(time, status) ~ trt + celltype + karno + age, data = vet),
  veteran_strata = coxph(Surv(time, status) ~ trt + karno + age + strata(prior), data = vet),
  gbsg_breslow = coxph(Surv(rfstime, status) ~ age + size + nodes + pgr + hormon,
                       data = gbsg, ties = "breslow"))
out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival"))),
            models = list())
for (name in names(models)) {
  f <- models[[name]]
  res <- list(name = name, coef = unname(coef(f)), terms = names(coef(f)))
  for (tr in c("km", "identity", "rank", "log")) {
    z <- cox.zph(f, transform = tr)
    res[[tr]] <- list(term = rownames(z$table), chisq = unname(z$table[, "chisq"]),
                      df = unname(z$table[, "df"]), x = z$x, time = z$time,
                      y = unname(z$y), y_names = colnames(z$y), var = unname(z$var))
  }
  zc <- cox.zph(f, terms = FALSE)
  res$columns_km <- list(term = rownames(zc$table), chisq = unname(zc$table[, "chisq"]),
                         y = unname(zc$y))
  out$models[[length(out$models) + 1]] <- res
}
write_json(out, "zph.json", digits = NA, auto_unbox = TRUE, pretty = FALSE, matrix = "columnmajor")
