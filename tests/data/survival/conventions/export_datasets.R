# Export datasets shipped with R's survival package to CSV for sigsurv's
# R-convention golden tests (the tests must not need R at run time).
# Run from this folder:  Rscript export_datasets.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3.
suppressMessages(library(survival))
rot <- survival::rotterdam
rot$size <- as.character(rot$size)  # levels "<=20" < "20-50" < ">50" (restored in Python)
write.csv(rot, "rotterdam.csv", row.names = FALSE)
write.csv(survival::veteran, "veteran.csv", row.names = FALSE)
lung <- survival::lung
write.csv(lung, "lung.csv", row.names = FALSE, na = "")
gbsg <- survival::gbsg
write.csv(gbsg, "gbsg.csv", row.names = FALSE)
