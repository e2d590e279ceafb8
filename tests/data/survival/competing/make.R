# Golden numbers for sigsurv.survival.competing (cumulative incidence, Gray's test,
# Fine-Gray regression, cause-specific Cox) from cmprsk::cuminc / cmprsk::crr / coxph.
# Inputs (written by this script, then read back so R and Python see the same numbers):
#   metabric_competing.csv  METABRIC (../shared/data/METABRIC, cBioPortal clinical file with
#                           RFS): event 0 = living, 1 = died of disease, 2 = died of other
#                           causes (VITAL_STATUS); time = OS_MONTHS.
#   mgus2_competing.csv     survival::mgus2: event 1 = progression to plasma-cell malignancy,
#                           2 = death without progression, 0 = censored (heavily tied months).
# Run from the repository root with the shared folder beside the clone:
#   Rscript tests/data/survival/competing/make.R
# (R 4.2.2, cmprsk 2.2-11, survival 3.5-3, jsonlite: Debian 12 packages.)
suppressMessages({library(cmprsk); library(survival); library(jsonlite)})
here <- "tests/data/survival/competing"
shared <- Sys.getenv("SIGSURV_SHARED", "../shared")

m <- read.csv(file.path(shared, "data/METABRIC/clinical_patient_cbioportal_with_RFS.csv"),
              skip = 1, stringsAsFactors = FALSE, na.strings = "")
m <- m[!is.na(m$VITAL_STATUS) & !is.na(m$OS_MONTHS), ]
metabric <- data.frame(
  patient = m$PATIENT_ID, time = m$OS_MONTHS,
  event = match(m$VITAL_STATUS, c("Living", "Died of Disease", "Died of Other Causes")) - 1L,
  age = m$AGE_AT_DIAGNOSIS, npi = m$NPI,
  chemo = m$CHEMOTHERAPY, er = ifelse(m$ER_IHC == "Positve", "pos", "neg"),
  cellularity = m$CELLULARITY, menopause = m$INFERRED_MENOPAUSAL_STATE)
write.csv(metabric, file.path(here, "metabric_competing.csv"), row.names = FALSE, na = "")
g <- survival::mgus2
mgus <- data.frame(id = g$id, time = ifelse(g$pstat == 1, g$ptime, g$futime),
                   event = ifelse(g$pstat == 1, 1L, 2L * g$death),
                   age = g$age, sex = as.character(g$sex), hgb = g$hgb, mspike = g$mspike)
write.csv(mgus, file.path(here, "mgus2_competing.csv"), row.names = FALSE, na = "")
metabric <- read.csv(file.path(here, "metabric_competing.csv"), stringsAsFactors = FALSE,
                     na.strings = "")
mgus <- read.csv(file.path(here, "mgus2_competing.csv"), stringsAsFactors = FALSE,
                 na.strings = "")

curves <- function(fit) {
  k <- setdiff(names(fit), "Tests")
  lapply(setNames(k, k), function(nm) list(time = fit[[nm]]$time, est = fit[[nm]]$est,
                                             var = fit[[nm]]$var))
}
tests <- function(fit) {
  if (is.null(fit$Tests)) return(NULL)
  list(cause = rownames(fit$Tests), stat = unname(fit$Tests[, "stat"]),
       p = unname(fit$Tests[, "pv"]), df = unname(fit$Tests[, "df"]))
}
cuminc_case <- function(d, group, strata, times, rho = 0) {
  fit <- if (is.null(group)) cuminc(d$time, d$event)
         else if (is.null(strata)) cuminc(d$time, d$event, d[[group]], rho = rho)
         else cuminc(d$time, d$event, d[[group]], d[[strata]], rho = rho)
  tp <- timepoints(fit, times)
  list(group = group, strata = strata, rho = rho, times = times, curves = curves(fit),
       tests = tests(fit), at_est = lapply(split(tp$est, row(tp$est)), identity),
       at_var = lapply(split(tp$var, row(tp$var)), identity), at_rows = rownames(tp$est))
}
mb_cc <- metabric[!is.na(metabric$chemo) & !is.na(metabric$er), ]
mb_cell <- metabric[!is.na(metabric$cellularity), ]
cuminc_out <- list(
  metabric_all = cuminc_case(metabric, NULL, NULL, c(0, 12, 60, 120, 240, 337.03, 400)),
  metabric_chemo = cuminc_case(mb_cc, "chemo", NULL, c(0, 12, 60, 120, 240, 300)),
  metabric_chemo_strata_er = cuminc_case(mb_cc, "chemo", "er", c(60, 120)),
  metabric_cellularity = cuminc_case(mb_cell, "cellularity", NULL, c(60, 120, 180)),
  metabric_cellularity_strata_menopause = cuminc_case(
    mb_cell[!is.na(mb_cell$menopause), ], "cellularity", "menopause", c(60)),
  mgus2_sex = cuminc_case(mgus, "sex", NULL, c(0, 12, 60, 120, 240, 424)),
  metabric_cellularity_rho1 = cuminc_case(mb_cell, "cellularity", NULL, c(60), rho = 1),
  mgus2_sex_rho2_strata_anemia = cuminc_case(
    transform(mgus, anemia = ifelse(is.na(hgb), NA, hgb < 12))[!is.na(mgus$hgb), ],
    "sex", "anemia", c(60), rho = 2))

crr_case <- function(d, covs, failcode) {
  d <- d[complete.cases(d[, covs, drop = FALSE]), ]
  x <- as.matrix(d[, covs, drop = FALSE])
  fit <- crr(d$time, d$event, x, failcode = failcode)
  s <- summary(fit)
  list(covariates = covs, failcode = failcode, n = fit$n, rows = d[[1]],
       coef = unname(fit$coef), se = unname(sqrt(diag(fit$var))), var = fit$var,
       hr = unname(s$conf.int[, 1]), lower = unname(s$conf.int[, 3]),
       upper = unname(s$conf.int[, 4]), z = unname(fit$coef / sqrt(diag(fit$var))),
       p = unname(2 * pnorm(-abs(fit$coef / sqrt(diag(fit$var))))),
       loglik = fit$loglik, loglik_null = fit$loglik.null, converged = fit$converged,
       score = unname(fit$score), inf = fit$inf,
       uftime = fit$uftime, bfitj = fit$bfitj,
       predict_profiles = x[1:3, , drop = FALSE],
       predict = unname(predict(fit, x[1:3, , drop = FALSE])[, -1, drop = FALSE]))
}
mb_x <- metabric
mb_x$chemo_yes <- as.numeric(mb_x$chemo == "YES")
mb_x$er_pos <- as.numeric(mb_x$er == "pos")
mg_x <- mgus
mg_x$male <- as.numeric(mg_x$sex == "M")
crr_out <- list(
  metabric_cause1 = crr_case(mb_x, c("age", "npi", "chemo_yes", "er_pos"), 1),
  metabric_cause2 = crr_case(mb_x, c("age", "npi", "chemo_yes", "er_pos"), 2),
  metabric_age_cause1 = crr_case(mb_x, "age", 1),
  mgus2_cause1 = crr_case(mg_x, c("age", "male", "hgb", "mspike"), 1),
  mgus2_cause2 = crr_case(mg_x, c("age", "male", "hgb"), 2))

cs <- mb_x[complete.cases(mb_x[, c("age", "npi", "chemo_yes", "er_pos")]), ]
csc <- coxph(Surv(time, event == 1) ~ age + npi + chemo_yes + er_pos, cs)
cs_out <- list(coef = unname(coef(csc)), se = unname(sqrt(diag(csc$var))),
               loglik = csc$loglik, n = csc$n, nevent = csc$nevent)

write_json(list(
  versions = list(R = R.version.string, cmprsk = as.character(packageVersion("cmprsk")),
                  survival = as.character(packageVersion("survival"))),
  cuminc = cuminc_out, crr = crr_out, cause_specific_cox = cs_out),
  file.path(here, "goldens.json"), digits = NA, auto_unbox = TRUE, null = "null",
  na = "null", pretty = FALSE)
