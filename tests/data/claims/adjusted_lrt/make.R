# Golden numbers for sigsurv.claims.evidence.adjusted_estimate (issue 11):
# the score's per-SD HR adjusted for the clinical covariates, the likelihood-ratio test
# of adding the score to the clinical model and both models' concordance, on the
# complete cases of gse1992 (input written by sigsurv: score = ESR1 z-scored).
# Run: Rscript make.R  (R survival; writes goldens.json)
library(survival)
library(jsonlite)
d <- read.delim("input.tsv", stringsAsFactors = FALSE)
d$grade <- factor(d$grade)
d$node <- factor(d$node)
d$er <- factor(d$er)
d <- d[complete.cases(d), ]
full <- coxph(Surv(time, event) ~ score_per_sd + age + grade + size_category + node + er,
              data = d, ties = "efron")
base <- coxph(Surv(time, event) ~ age + grade + size_category + node + er,
              data = d, ties = "efron")
s <- summary(full)
lrt <- anova(base, full)
out <- list(
  n = full$n, events = full$nevent,
  hr = unname(s$conf.int["score_per_sd", "exp(coef)"]),
  lower = unname(s$conf.int["score_per_sd", "lower .95"]),
  upper = unname(s$conf.int["score_per_sd", "upper .95"]),
  p = unname(s$coefficients["score_per_sd", "Pr(>|z|)"]),
  lrt_stat = unname(lrt$Chisq[2]), lrt_df = unname(lrt$Df[2]),
  lrt_p = unname(lrt[["Pr(>|Chi|)"]][2]),
  c_full = unname(full$concordance["concordance"]),
  c_base = unname(base$concordance["concordance"])
)
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "goldens.json")
