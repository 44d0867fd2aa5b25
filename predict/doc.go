// Package predict holds the statistics behind Touchpoint's customer
// analytics, in plain Go with no outside dependency, so that every model
// is trained on the machine, on the workspace's own data.
//
//   - Ridge fits a linear regression with a small L2 penalty and reports
//     each coefficient with a 95% confidence interval: key-driver analysis
//     of NPS, CSAT and CES uses it, one binary factor per touchpoint,
//     channel or trait, so a coefficient reads as "score points this factor
//     adds or takes away, the others held fixed".
//   - Logistic fits an L2-regularised logistic regression by Newton's
//     method (IRLS), with standard errors from the Fisher information: the
//     churn model. AUC measures it on customers it did not see.
//   - BGNBD (Fader, Hardie & Lee, 2005) models how often a customer buys
//     and whether they are still "alive" from their frequency, recency and
//     age; GammaGamma (Fader, Hardie & Lee, 2005, "RFM and CLV") models
//     how much they spend per order. Together they predict lifetime value.
//     Both are fitted by maximum likelihood with Nelder-Mead over the
//     logarithms of their parameters.
//
// Features are standardised by the callers that need comparable effects
// (Standardize); the models themselves take plain matrices as [][]float64,
// one row per sample.
package predict
