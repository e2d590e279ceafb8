# Golden numbers for sigsurv's cox_lrt: anova() of nested coxph fits (likelihood-ratio
# test), on veteran (Efron; with and without strata) and gbsg (Breslow).
# Input: veteran.csv, gbsg.csv (export_datasets.R). Run here:  Rscript nested.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(jsonlite)})
vet <- read.csv("veteran.csv")
gbsg <- read.csv("gbsg.csv")
pairs <- list(
  veteran = list(coxph(Surv(time, status) ~ trt + karno, data = vet),
                 coxph(Surv(time, status) ~ trt + karno + celltype + age, data = vet)),
  veteran_strata = list(coxph(Surv(time, status) ~ karno + strata(prior), data = vet),
                        coxph(Surv(time, status) ~ karno + trt + age + strata(prior), data = vet)),
  gbsg_breslow = list(coxph(Surv(rfstime, status) ~ age + nodes, data = gbsg, ties = "breslow"),
                      coxph(Surv(rfstime, status) ~ age + nodes + pgr + hormon + size,
                            data = gbsg, ties = "breslow")))
out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival"))))
for (name in names(pairs)) {
  a <- anova(pairs[[name]][[1]], pairs[[name]][[2]])
  out[[name]] <- list(loglik = a$loglik, chisq = a$Chisq[2], df = a$Df[2],
                      p = a[["Pr(>|Chi|)"]][2])
}
write_json(out, "nested.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
