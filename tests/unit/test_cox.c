/* test_cox.c - Cox proportional hazards (src/survival/cox*.c, concordance.c) against R's
 * survival package: coefficients, standard errors (model and robust), z, p, hazard-ratio
 * intervals, log-likelihoods, the likelihood-ratio, Wald, score and robust score tests and
 * the concordance with its pair counts and standard error, on rossi (Efron, Breslow,
 * robust, strata), gbsg2 (categorical covariates, default and given reference levels), lung
 * (missing values dropped), dd (strata and a categorical covariate), Telco (tenure in months:
 * 73 distinct times for 7043 customers, heavy ties) and regression.csv (no ties). Then
 * independent checks: the log partial likelihood and the concordance recomputed by brute
 * force, results independent of the thread count, and the error messages (perfect
 * separation, a singular design, bad columns).
 * SPDX-License-Identifier: MIT */
#include "harness.h"
#include "retain.h"

#include "io/csv_rows.h"
#include "survival/concordance.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define DATA "../shared/data/"

/* Reference values: R 4.2.2, survival 3.5.3, printed by this script (run from the repo root):
 *
 * library(survival)
 * D <- "../shared/data/"
 * num <- function(v) paste(sprintf("%.15g", v), collapse = ", ")
 * emit <- function(name, f, terms) {
 *   nv <- !is.null(f$naive.var)
 *   v <- if (nv) f$naive.var else f$var
 *   se <- sqrt(diag(v)); rse <- if (nv) sqrt(diag(f$var)) else rep(NA, length(se))
 *   use <- if (nv) rse else se
 *   b <- coef(f); z <- b / use; p <- 2 * pnorm(-abs(z))
 *   k <- length(b)
 *   cat(sprintf("static const ref %s = {\n    \"%s\", %d, %d, %d, %d, %d,\n", name, name, f$n,
 *       f$nevent, if (is.null(f$na.action)) 0L else length(f$na.action), f$iter, k))
 *   cat(sprintf("    {%s},\n", paste0('"', terms, '"', collapse = ", ")))
 *   for (x in list(b, se, rse, z, p, exp(b - qnorm(0.975) * use), exp(b + qnorm(0.975) * use)))
 *     cat(sprintf("    {%s},\n", if (all(is.na(x))) "0" else num(x)))
 *   lrt <- 2 * diff(f$loglik)
 *   rs <- if (is.null(f$rscore)) NA else f$rscore
 *   cat(sprintf("    %s,\n", num(c(f$loglik, lrt, pchisq(lrt, k, lower.tail = FALSE),
 *       f$wald.test, pchisq(f$wald.test, k, lower.tail = FALSE), f$score,
 *       pchisq(f$score, k, lower.tail = FALSE),
 *       if (is.na(rs)) c(0, 0) else c(rs, pchisq(rs, k, lower.tail = FALSE))))))
 *   cat(sprintf("    {%s}};\n", num(f$concordance)))
 * }
 * r <- read.csv(paste0(D, "rossi.csv"))
 * fm <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
 * tr <- c("fin", "age", "race", "wexp", "mar", "paro", "prio")
 * emit("rossi_efron", coxph(fm, data = r), tr)
 * emit("rossi_breslow", coxph(fm, data = r, ties = "breslow"), tr)
 * emit("rossi_efron_robust", coxph(fm, data = r, robust = TRUE), tr)
 * emit("rossi_breslow_robust", coxph(fm, data = r, ties = "breslow", robust = TRUE), tr)
 * emit("rossi_strata_race", coxph(Surv(week, arrest) ~ fin + age + wexp + mar + paro + prio +
 *      strata(race), data = r), tr[-3])
 * g <- read.csv(paste0(D, "gbsg2.csv"))
 * g$horTh <- relevel(factor(g$horTh), "no")
 * g$menostat <- relevel(factor(g$menostat), "Post")
 * g$tgrade <- relevel(factor(g$tgrade), "II")
 * emit("gbsg2_efron", coxph(Surv(time, cens) ~ horTh + age + menostat + tsize + tgrade +
 *      pnodes + progrec + estrec, data = g), c("horTh=yes", "age", "menostat=Pre", "tsize",
 *      "tgrade=I", "tgrade=III", "pnodes", "progrec", "estrec"))
 * g$tgrade <- relevel(factor(g$tgrade), "I")
 * emit("gbsg2_breslow_ref_I", coxph(Surv(time, cens) ~ horTh + tgrade + pnodes, data = g,
 *      ties = "breslow"), c("horTh=yes", "tgrade=II", "tgrade=III", "pnodes"))
 * l <- read.csv(paste0(D, "lung.csv"))
 * emit("lung_efron_na", coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss + meal.cal,
 *      data = l), c("age", "sex", "ph.ecog", "wt.loss", "meal.cal"))
 * d <- read.csv(paste0(D, "dd.csv"))
 * d$un_continent_name <- relevel(factor(d$un_continent_name), "Europe")
 * td <- c("start_year", "un_continent_name=Africa", "un_continent_name=Americas",
 *         "un_continent_name=Asia", "un_continent_name=Oceania")
 * emit("dd_strata_efron", coxph(Surv(duration, observed) ~ start_year + un_continent_name +
 *      strata(regime), data = d), td)
 * emit("dd_strata_breslow_robust", coxph(Surv(duration, observed) ~ start_year +
 *      un_continent_name + strata(regime), data = d, ties = "breslow", robust = TRUE), td)
 * t <- read.csv(paste0(D, "Telco-Customer-Churn.csv"))
 * t$churn <- as.integer(t$Churn == "Yes")
 * t$Contract <- relevel(factor(t$Contract), "Month-to-month")
 * t$PaymentMethod <- relevel(factor(t$PaymentMethod), "Electronic check")
 * t$InternetService <- relevel(factor(t$InternetService), "Fiber optic")
 * ft <- Surv(tenure, churn) ~ SeniorCitizen + MonthlyCharges + Contract + PaymentMethod +
 *       InternetService
 * tt <- c("SeniorCitizen", "MonthlyCharges", "Contract=One year", "Contract=Two year",
 *         "PaymentMethod=Bank transfer (automatic)", "PaymentMethod=Credit card (automatic)",
 *         "PaymentMethod=Mailed check", "InternetService=DSL", "InternetService=No")
 * emit("telco_efron", coxph(ft, data = t), tt)
 * emit("telco_breslow", coxph(ft, data = t, ties = "breslow"), tt)
 * emit("telco_efron_robust", coxph(ft, data = t, robust = TRUE), tt)
 * rg <- read.csv(paste0(D, "regression.csv"))
 * emit("regression_efron", coxph(Surv(T, E) ~ var1 + var2 + var3, data = rg),
 *      c("var1", "var2", "var3"))
 *
 * Layout of each: name, n, events, rows dropped (na.action), iterations, terms; per term coef,
 * se, robust se, z, p, hr lower and upper 95% (z, p and the interval from the robust se when
 * there is one); loglik at 0 and at the fit, LR test and p, Wald test and p, score test and p,
 * robust score test and p (0 without); concordant, discordant, tied.x, tied.y, tied.xy,
 * concordance, its se. (relevel() makes R's reference level the one retain picks by default:
 * the most frequent; retain orders the other levels as R does, alphabetically.) */
typedef struct ref {
    const char *name;
    size_t n, events, dropped;
    int iter;
    size_t p;
    const char *term[12];
    double coef[12], se[12], rse[12], z[12], pv[12], lo[12], hi[12];
    double ll0, ll, lrt, lrt_p, wald, wald_p, score, score_p, rscore, rscore_p;
    double conc[7];
} ref;

static const ref rossi_efron = {
    "rossi_efron",
    432,
    114,
    0,
    4,
    7,
    {"fin", "age", "race", "wexp", "mar", "paro", "prio"},
    {-0.379422166485887, -0.0574377426840623, 0.313899787842499, -0.149795697666537,
     -0.433703877937309, -0.0848710825003947, 0.091497080985296},
    {0.191379480713543, 0.02199947060068, 0.307992776557418, 0.212224296248623, 0.381868057668791,
     0.195756671906624, 0.0286485499599737},
    {0},
    {-1.98256451042317, -2.61086931256823, 1.01917905786982, -0.705836703499065, -1.13574274995652,
     -0.433553971232603, 3.19377703629437},
    {0.0474160948657744, 0.00903123990442287, 0.308117966977278, 0.480289694009027,
     0.256064243380635, 0.664612365679252, 0.00140424527933257},
    {0.47023671785246, 0.904334547176444, 0.748446943270847, 0.56793535693072, 0.306618333612345,
     0.625910988322172, 1.03597908442491},
    {0.995684063631141, 0.985782464827456, 2.50316151114526, 1.3049389781266, 1.36990824334953,
     1.34824661446061, 1.15910390061403},
    -675.380632346871,
    -658.747659446087,
    33.2659458015687,
    2.36204505370061e-05,
    32.112610680554,
    3.8709198619434e-05,
    33.5286888997077,
    2.1098615174343e-05,
    0,
    0,
    {27242, 15291, 49, 111, 0, 0.640329247099714, 0.0266581227726475}};
static const ref rossi_breslow = {
    "rossi_breslow",
    432,
    114,
    0,
    4,
    7,
    {"fin", "age", "race", "wexp", "mar", "paro", "prio"},
    {-0.379021887430794, -0.0572459250446639, 0.314129766907369, -0.151114600055965,
     -0.432782573762873, -0.084982835267301, 0.0911115420915654},
    {0.191364425859774, 0.0219831857251267, 0.308017279736953, 0.212123160883743, 0.381794935262924,
     0.195748207309154, 0.0286312529561066},
    {0},
    {-1.98062877009612, -2.60407776017796, 1.0198446242225, -0.712390855512405, -1.1335471840789,
     -0.434143619681195, 3.18224082722627},
    {0.0476329200903266, 0.00921218533441057, 0.307802155707559, 0.476222776574689,
     0.256984538315273, 0.664184151813806, 0.00146140245649978},
    {0.470438862459186, 0.904536901472274, 0.748583138363238, 0.567299239236868, 0.306944939894414,
     0.625851427926333, 1.0356148594858},
    {0.9960533039341, 0.985940103918153, 2.50385749783418, 1.30296072481053, 1.37097442869208,
     1.34807358745047, 1.15861782755869},
    -675.683389417497,
    -659.120605677328,
    33.1255674803381,
    2.5087760343313e-05,
    31.9810174608277,
    4.09463339239752e-05,
    33.3828204240907,
    2.24638309023725e-05,
    0,
    0,
    {27246, 15287, 49, 111, 0, 0.640423183504767, 0.0266476562235689}};
static const ref rossi_efron_robust = {
    "rossi_efron_robust",
    432,
    114,
    0,
    4,
    7,
    {"fin", "age", "race", "wexp", "mar", "paro", "prio"},
    {-0.379422166485887, -0.0574377426840623, 0.313899787842499, -0.149795697666537,
     -0.433703877937309, -0.0848710825003947, 0.091497080985296},
    {0.191379480713543, 0.02199947060068, 0.307992776557418, 0.212224296248623, 0.381868057668791,
     0.195756671906624, 0.0286485499599737},
    {0.195541778981962, 0.0253361462639771, 0.292328555346832, 0.218060315283669, 0.380244465749984,
     0.199200829598849, 0.0289745946316345},
    {-1.94036368320495, -2.26702759313192, 1.07379105496578, -0.686946166576305, -1.14059221633083,
     -0.426057876723246, 3.15783817335617},
    {0.0523355069274636, 0.0233885401549154, 0.282916339945621, 0.492116652915062, 0.25403965785689,
     0.670065673287872, 0.0015894376419076},
    {0.466416153196003, 0.898439708980099, 0.77178161408196, 0.561476104597801, 0.307595602957929,
     0.621700051913324, 1.03531726817227},
    {1.00384003189348, 0.992250375883555, 2.42747889732826, 1.31995106870313, 1.36555587511145,
     1.35737864000809, 1.15984484623863},
    -675.380632346871,
    -658.747659446087,
    33.2659458015687,
    2.36204505370061e-05,
    31.0602283693534,
    6.06035803346342e-05,
    33.5286888997077,
    2.1098615174343e-05,
    27.1915198050378,
    0.000307833716201275,
    {27242, 15291, 49, 111, 0, 0.640329247099714, 0.0266581227726475}};
static const ref rossi_breslow_robust = {
    "rossi_breslow_robust",
    432,
    114,
    0,
    4,
    7,
    {"fin", "age", "race", "wexp", "mar", "paro", "prio"},
    {-0.379021887430794, -0.0572459250446639, 0.314129766907369, -0.151114600055965,
     -0.432782573762873, -0.084982835267301, 0.0911115420915654},
    {0.191364425859774, 0.0219831857251267, 0.308017279736953, 0.212123160883743, 0.381794935262924,
     0.195748207309154, 0.0286312529561066},
    {0.194687740190956, 0.0252287001501724, 0.291077723573721, 0.216960903592252, 0.378891217151206,
     0.198342010898158, 0.0287483869175007},
    {-1.94681949186444, -2.26907944935374, 1.07919549133003, -0.696506133381359, -1.14223437802772,
     -0.428466137266989, 3.16927493542606},
    {0.0515563792644799, 0.0232634948484695, 0.280500589161918, 0.486111917565353,
     0.253356609754884, 0.668311782268615, 0.00152819762217204},
    {0.467384580934375, 0.898801321196706, 0.773853973439246, 0.561945641458422, 0.308696800043574,
     0.622677822221323, 1.03537713202916},
    {1.00256234879358, 0.992231748667178, 2.42209198127246, 1.31537389634727, 1.36319412301089,
     1.35494432200248, 1.15888385165836},
    -675.683389417497,
    -659.120605677328,
    33.1255674803381,
    2.5087760343313e-05,
    31.228562996123,
    5.64193897862427e-05,
    33.3828204240907,
    2.24638309023725e-05,
    27.2409230889275,
    0.000301585960905876,
    {27246, 15287, 49, 111, 0, 0.640423183504767, 0.0266476562235689}};
static const ref rossi_strata_race = {
    "rossi_strata_race",
    432,
    114,
    0,
    4,
    6,
    {"fin", "age", "wexp", "mar", "paro", "prio"},
    {-0.378767374277721, -0.0576397452645608, -0.142749925747071, -0.438816686634071,
     -0.0857639540229065, 0.0922138412431676},
    {0.191303694332715, 0.0220020973547277, 0.212793770801711, 0.382127626679214, 0.195807352868297,
     0.028726063762355},
    {0},
    {-1.9799271289501, -2.61973867014889, -0.670836957347265, -1.14835111621606, -0.438001703034067,
     3.21011058131857},
    {0.0477117175228316, 0.00879971719825274, 0.502324401039123, 0.250823645209991,
     0.66138504888983, 0.00132683917337236},
    {0.470614625256201, 0.904147232841385, 0.571313003278089, 0.304899497697431, 0.625290264690037,
     1.03656440799418},
    {0.996188259918738, 0.985588428471394, 1.31563337170392, 1.36361559677329, 1.34717715303049,
     1.16011123369221},
    -636.926967331553,
    -620.563608514375,
    32.726717634356,
    1.1834752309025e-05,
    31.6168400812166,
    1.93218490342324e-05,
    33.127488964537,
    9.9098470005798e-06,
    0,
    0,
    {21355, 12467, 49, 92, 0, 0.631203684567919, 0.0283436870367558}};
static const ref gbsg2_efron = {
    "gbsg2_efron",
    686,
    299,
    0,
    6,
    9,
    {"horTh=yes", "age", "menostat=Pre", "tsize", "tgrade=I", "tgrade=III", "pnodes", "progrec",
     "estrec"},
    {-0.34627842762333, -0.00945923891334661, -0.258444840866075, 0.00779608385204579,
     -0.636111704552407, 0.143542538303506, 0.0487886003547994, -0.00221723568064758,
     0.000197310710854604},
    {0.129074735223088, 0.00930059479708476, 0.183476451697793, 0.00393901773537449,
     0.249202492015612, 0.13625560086662, 0.0074470895195927, 0.000573528557034388,
     0.000450367926761978},
    {0},
    {-2.68277465008807, -1.01705741618929, -1.408599514949, 1.97919490994741, -2.55258966075089,
     1.05347991121494, 6.55136482869455, -3.86595515332751, 0.438110040990738},
    {0.00730141712646016, 0.309126116453482, 0.158953622372615, 0.0477940657930296,
     0.0106925384826972, 0.292121096550001, 5.70135809271554e-11, 0.00011065527195191,
     0.661306515982141},
    {0.549217764223733, 0.972691731459026, 0.538993332540192, 1.00007575382542, 0.324801967298114,
     0.883809681373716, 1.03478385908474, 0.996664245037686, 0.999314840623564},
    {0.910923284686361, 1.00880815744719, 1.10645631177648, 1.0156374213849, 0.862703862795715,
     1.50772004936389, 1.06543655674073, 0.998907456895524, 1.001080599054},
    -1788.10473712307,
    -1735.73210425795,
    104.745265730235,
    1.71990548288964e-18,
    114.823146201677,
    1.52805381835038e-20,
    120.651479750615,
    9.82839983570614e-22,
    0,
    0,
    {92066, 41006, 0, 32, 0, 0.691851028014909, 0.0149586967176198}};
static const ref gbsg2_breslow_ref_I = {
    "gbsg2_breslow_ref_I",
    686,
    299,
    0,
    6,
    4,
    {"horTh=yes", "tgrade=II", "tgrade=III", "pnodes"},
    {-0.337393109284168, 0.774583619457635, 1.02708661880766, 0.0553131660982672},
    {0.125541157547011, 0.246921376903728, 0.262425354362984, 0.0067862870369603},
    {0},
    {-2.6875099439626, 3.13696460456576, 3.91382388070247, 8.15072598565518},
    {0.00719869588357, 0.00170706734240982, 9.08459074142658e-05, 3.61745954750483e-16},
    {0.557970460232378, 1.33726517424171, 1.66986431667189, 1.04290729383037},
    {0.912710110531091, 3.52028032844567, 4.67126943324252, 1.07102276200551},
    -1788.17311304365,
    -1749.65863762241,
    77.028950842483,
    7.41535713137642e-16,
    96.1532540572556,
    6.47829737317692e-20,
    102.064078037104,
    3.57550919489949e-21,
    0,
    0,
    {86650, 42401, 4021, 32, 0, 0.666259618852952, 0.0153555176873983}};
static const ref lung_efron_na = {
    "lung_efron_na",
    170,
    123,
    58,
    4,
    5,
    {"age", "sex", "ph.ecog", "wt.loss", "meal.cal"},
    {0.00869307996988144, -0.540012568322206, 0.51515464955129, -0.0111723971983763,
     -4.49867277383499e-05},
    {0.0112405021803822, 0.198805878193325, 0.148282809962987, 0.00754829622120847,
     0.000251193400579237},
    {0},
    {0.773371138618102, -2.71628069164575, 3.47413600861677, -1.480121721639, -0.179091996981661},
    {0.439302765574974, 0.00660199186290759, 0.000512501182883355, 0.13884076566473,
     0.857865465899782},
    {0.986750656156769, 0.394685935833387, 1.25172885845841, 0.97436745177364, 0.999462827582764},
    {1.03120091443632, 0.860397999090615, 2.23844989824385, 1.00362855887774, 1.00044744336348},
    -523.098022886744,
    -511.929483508548,
    22.3370787563932,
    0.000451708626178395,
    21.3081763497752,
    0.000708332131267163,
    21.8608091676158,
    0.000556476420655734,
    0,
    0,
    {7059, 3968, 0, 12, 0, 0.640155980774463, 0.0297396648094929}};
static const ref dd_strata_efron = {
    "dd_strata_efron",
    1808,
    1468,
    0,
    3,
    5,
    {"start_year", "un_continent_name=Africa", "un_continent_name=Americas",
     "un_continent_name=Asia", "un_continent_name=Oceania"},
    {-0.0015217779623003, -0.440209629422152, -0.272874206256888, -0.146075174745357,
     -0.213973600332056},
    {0.00154650670518014, 0.0945796812074601, 0.0878558667290419, 0.0820394258197816,
     0.12124821914733},
    {0},
    {-0.984009934908779, -4.65437844368025, -3.10593038821716, -1.78054847758497,
     -1.76475664415371},
    {0.325110628091339, 3.24959475505395e-06, 0.0018968136338135, 0.0749862431019402,
     0.077604674123176},
    {0.995457473219638, 0.534949783954852, 0.640780354880061, 0.735746613500696, 0.636598740223131},
    {1.00151045907762, 0.775042927696819, 0.90422245381102, 1.01482800524437, 1.02395086532633},
    -7323.75243494121,
    -7309.56872185973,
    28.3674261629767,
    3.08470977714345e-05,
    27.7550425247947,
    4.06395686440445e-05,
    27.8813420124261,
    3.83951858328341e-05,
    0,
    0,
    {147011, 108539, 1633, 44459, 376, 0.574794990337619, 0.0110408316962393}};
static const ref dd_strata_breslow_robust = {
    "dd_strata_breslow_robust",
    1808,
    1468,
    0,
    3,
    5,
    {"start_year", "un_continent_name=Africa", "un_continent_name=Americas",
     "un_continent_name=Asia", "un_continent_name=Oceania"},
    {-0.00116066133691274, -0.387002926521857, -0.217084939172263, -0.117761734990639,
     -0.172015614283151},
    {0.00155354385552559, 0.0938496985318378, 0.0867236081772545, 0.0811834564102583,
     0.121202731989345},
    {0.00139654337787218, 0.0865181643939072, 0.0814215626769129, 0.0728035635830784,
     0.0954670905907793},
    {-0.831095800748533, -4.47308295585049, -2.666184878245, -1.61752707140849, -1.80183153397329},
    {0.405919511791114, 7.70998490759487e-06, 0.00767174909998151, 0.105764556958091,
     0.0715719147807781},
    {0.996109750642145, 0.573168572469346, 0.686143650865581, 0.770701532645251, 0.698285193110673},
    {1.00157775673709, 0.804583569564055, 0.944120371521599, 1.02524399439871, 1.01521097189984},
    -7518.74793435139,
    -7508.06844754923,
    21.3589736043323,
    0.000692818765555182,
    24.0630725733952,
    0.000211136628715297,
    20.9521051861577,
    0.000827111742056679,
    25.2777963824608,
    0.000123135851282545,
    {147021, 108529, 1633, 44459, 376, 0.574833873156468, 0.0110404106983718}};
static const ref telco_efron = {
    "telco_efron",
    7043,
    1869,
    0,
    6,
    9,
    {"SeniorCitizen", "MonthlyCharges", "Contract=One year", "Contract=Two year",
     "PaymentMethod=Bank transfer (automatic)", "PaymentMethod=Credit card (automatic)",
     "PaymentMethod=Mailed check", "InternetService=DSL", "InternetService=No"},
    {-0.0882871684418874, -0.0321799142673515, -1.778411387824, -3.51962440423741,
     -0.704122602533604, -0.726222982508606, -0.015980704388381, -1.53289325872619,
     -2.87529718233361},
    {0.0548579927631286, 0.00212289125396955, 0.0867404851681143, 0.162140748182397,
     0.0706386502206821, 0.0737327446368182, 0.0701787228492257, 0.10105751575166,
     0.178304156851458},
    {0},
    {-1.60937657385867, -15.1585316521414, -20.5026682105502, -21.7072169932144, -9.96795097774173,
     -9.84939576148598, -0.227714380364465, -15.168523066539, -16.1258000548409},
    {0.107534024482111, 6.65403497838574e-52, 2.03806423655059e-93, 1.75359445381646e-104,
     2.1052715780282e-23, 6.8957283395791e-23, 0.819868292207922, 5.71483284487794e-52,
     1.68068358420646e-58},
    {0.822171014669316, 0.96431169201318, 0.142499097196732, 0.0215492464383606, 0.430601671234706,
     0.418643102318149, 0.857676342671821, 0.177113882390642, 0.039765049408711},
    {1.0194186579576, 0.972369771153768, 0.200207057416243, 0.0406874992529699, 0.56797754631124,
     0.55894206113674, 1.12926509741066, 0.263204451287917, 0.0799920954063248},
    -15653.0396351115,
    -14104.7094000211,
    3096.66047018077,
    0,
    1691.78898595774,
    0,
    2803.82645372726,
    0,
    0,
    0,
    {7503032, 1393288, 1114, 102236, 69, 0.843343035756152, 0.00376662775582145}};
static const ref telco_breslow = {
    "telco_breslow",
    7043,
    1869,
    0,
    6,
    9,
    {"SeniorCitizen", "MonthlyCharges", "Contract=One year", "Contract=Two year",
     "PaymentMethod=Bank transfer (automatic)", "PaymentMethod=Credit card (automatic)",
     "PaymentMethod=Mailed check", "InternetService=DSL", "InternetService=No"},
    {-0.0875175072524099, -0.031184214588362, -1.77156765036021, -3.51259236147049,
     -0.689274157836407, -0.710897452979846, -0.0161803249032483, -1.48950052008711,
     -2.79796994411037},
    {0.0548474474081175, 0.00212048805958234, 0.0867753607861153, 0.161969407542634,
     0.070665942919069, 0.0737685351810731, 0.0701717927587586, 0.100809225135849,
     0.178095727872353},
    {0},
    {-1.59565324163941, -14.7061495807263, -20.4155607572382, -21.6867642770497, -9.75397948946647,
     -9.63686551772878, -0.230581609320915, -14.7754386374846, -15.7104832189785},
    {0.110566233500799, 5.886273710306e-49, 1.21627663989645e-92, 2.73564909136981e-104,
     1.7737561907353e-22, 5.58678507534158e-22, 0.817639856275081, 2.10979171080138e-49,
     1.28198256378354e-55},
    {0.82282105768553, 0.965276881643763, 0.143467861254905, 0.0217086047049428, 0.437019762895768,
     0.425078625867622, 0.85751679730414, 0.185058558665523, 0.0429795371606349},
    {1.02018248107684, 0.973333857012101, 0.201595700786934, 0.0409608659920791, 0.576504891330131,
     0.567613936376458, 1.12902436009405, 0.274743300629043, 0.0863878073572955},
    -15669.7053176034,
    -14148.9344582169,
    3041.541718773,
    0,
    1659.37345408158,
    0,
    2740.87123260508,
    0,
    0,
    0,
    {7502593, 1393727, 1114, 102236, 69, 0.843293695687993, 0.00376883225610298}};
static const ref telco_efron_robust = {
    "telco_efron_robust",
    7043,
    1869,
    0,
    6,
    9,
    {"SeniorCitizen", "MonthlyCharges", "Contract=One year", "Contract=Two year",
     "PaymentMethod=Bank transfer (automatic)", "PaymentMethod=Credit card (automatic)",
     "PaymentMethod=Mailed check", "InternetService=DSL", "InternetService=No"},
    {-0.0882871684418874, -0.0321799142673515, -1.778411387824, -3.51962440423741,
     -0.704122602533604, -0.726222982508606, -0.015980704388381, -1.53289325872619,
     -2.87529718233361},
    {0.0548579927631286, 0.00212289125396955, 0.0867404851681143, 0.162140748182397,
     0.0706386502206821, 0.0737327446368182, 0.0701787228492257, 0.10105751575166,
     0.178304156851458},
    {0.0575097821056864, 0.00213007140034282, 0.0821314292670993, 0.158499621171114,
     0.072747196482773, 0.0743410326489069, 0.0779804828857779, 0.105699439150183,
     0.186827931523128},
    {-1.53516784813479, -15.1074345499275, -21.6532380319407, -22.2058852774018, -9.67903419756313,
     -9.76880407268978, -0.204932103482723, -14.5023783574498, -15.3900819802079},
    {0.124742603777628, 1.44663128633954e-51, 5.66565841519131e-104, 3.01300569557188e-109,
     3.70196495554423e-22, 1.53250323765629e-22, 0.83762517253087, 1.17023770928451e-47,
     1.90790405385498e-53},
    {0.817908938970722, 0.964298121515803, 0.14379220661197, 0.021703582209172, 0.428825806650666,
     0.418144283962281, 0.844661230770683, 0.175509807815937, 0.0391062413494069},
    {1.0247307890296, 0.972383455242884, 0.19840661470073, 0.040398167450548, 0.570329669698827,
     0.559608841888397, 1.14666557830575, 0.265610012398799, 0.0813396919872246},
    -15653.0396351115,
    -14104.7094000211,
    3096.66047018077,
    0,
    1717.20316191292,
    0,
    2803.82645372726,
    0,
    1796.19776942923,
    0,
    {7503032, 1393288, 1114, 102236, 69, 0.843343035756152, 0.00376662775582145}};
static const ref regression_efron = {"regression_efron",
                                     200,
                                     189,
                                     0,
                                     4,
                                     3,
                                     {"var1", "var2", "var3"},
                                     {0.222207366874804, 0.0509573348860841, 0.218314242930651},
                                     {0.0742895539997086, 0.0828893569045078, 0.0758012372668412},
                                     {0},
                                     {2.99109841035895, 0.614763303626414, 2.88008811996201},
                                     {0.00277975894930342, 0.53871104698041, 0.00397564035383819},
                                     {1.07961286291266, 0.894488869523916, 1.07223638625273},
                                     {1.44457074787883, 1.23790135372483, 1.44322751866743},
                                     -815.389528278918,
                                     -807.619706481129,
                                     15.5396435955781,
                                     0.00140901254009506,
                                     17.7558411686187,
                                     0.000493904982602985,
                                     17.9455370518482,
                                     0.000451373393850243,
                                     0,
                                     0,
                                     {10843, 7856, 0, 0, 0, 0.579870581314509, 0.0252791977725094}};

/* ---- a small CSV table, read with the library's record reader ---- */

typedef struct table {
    size_t ncols, n, cap;
    char **name;
    char **cell; /* n * ncols, row-major */
} table;

static char *copy_field(const rt_csv_field *f)
{
    char *s = malloc((size_t)f->len + 1);
    if (s)
        rt_csv_field_copy(f, s);
    return s;
}

static rt_status on_row(void *ud, const rt_csv_row *row, rt_error *err)
{
    (void)err;
    table *t = ud;
    if (row->index == 0) {
        t->ncols = row->n;
        t->name = calloc(row->n, sizeof *t->name);
        for (size_t c = 0; c < row->n; c++)
            t->name[c] = copy_field(&row->f[c]);
        return RT_OK;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->cell = realloc(t->cell, t->cap * t->ncols * sizeof *t->cell);
    }
    for (size_t c = 0; c < t->ncols; c++)
        t->cell[t->n * t->ncols + c] = c < row->n ? copy_field(&row->f[c]) : calloc(1, 1);
    t->n++;
    return RT_OK;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n * t->ncols; i++)
        free(t->cell[i]);
    for (size_t c = 0; c < t->ncols; c++)
        free(t->name[c]);
    free(t->cell);
    free(t->name);
    memset(t, 0, sizeof *t);
}

/* ---- survival data built by hand from a table ---- */

typedef struct surv {
    rt_survdata sd;
    double *time;
    unsigned char *event;
    const char **names;
    const char ***text;
    double **num;
    table t;
} surv;

/* The number in 's', or NaN when it is not one (empty included). */
static double to_num(const char *s)
{
    char *end;
    if (!*s)
        return (double)NAN;
    double v = strtod(s, &end);
    return *end ? (double)NAN : v;
}

static long column(const table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->name[c], name) == 0)
            return (long)c;
    return -1;
}

/* Load 'file': time from 'tcol', event from 'ecol' (1 when its text is 'yes', or when 'yes'
 * is NULL its number), every other column as a further column. */
static int load(surv *s, const char *file, const char *tcol, const char *ecol, const char *yes)
{
    memset(s, 0, sizeof *s);
    rt_error err;
    if (rt_csv_rows_read(file, file, ',', 100, NULL, on_row, &s->t, &err) != RT_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return -1;
    }
    table *t = &s->t;
    long tc = column(t, tcol), ec = column(t, ecol);
    if (tc < 0 || ec < 0)
        return -1;
    size_t n = t->n, nc = t->ncols - 2;
    s->time = malloc(n * sizeof *s->time);
    s->event = malloc(n);
    s->names = malloc(nc * sizeof *s->names);
    s->text = malloc(nc * sizeof *s->text);
    s->num = malloc(nc * sizeof *s->num);
    for (size_t i = 0; i < n; i++) {
        s->time[i] = to_num(t->cell[i * t->ncols + (size_t)tc]);
        const char *e = t->cell[i * t->ncols + (size_t)ec];
        s->event[i] = (unsigned char)(yes ? strcmp(e, yes) == 0 : to_num(e) == 1);
    }
    size_t k = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        if ((long)c == tc || (long)c == ec)
            continue;
        s->names[k] = t->name[c];
        s->text[k] = malloc(n * sizeof **s->text);
        s->num[k] = malloc(n * sizeof **s->num);
        for (size_t i = 0; i < n; i++) {
            s->text[k][i] = t->cell[i * t->ncols + c];
            s->num[k][i] = to_num(s->text[k][i]);
        }
        k++;
    }
    s->sd = (rt_survdata){.n = n,
                          .time = s->time,
                          .event = s->event,
                          .ncols = nc,
                          .col_name = s->names,
                          .text = (const char *const *const *)s->text,
                          .num = (const double *const *)s->num};
    return 0;
}

static void surv_free(surv *s)
{
    for (size_t c = 0; c < s->sd.ncols; c++) {
        free(s->text[c]);
        free(s->num[c]);
    }
    free(s->text);
    free(s->num);
    free(s->names);
    free(s->time);
    free(s->event);
    table_free(&s->t);
}

/* ---- running and reading the model ---- */

static rt_result *fit(const rt_survdata *d, const char *const *cov, size_t ncov, rt_ties ties,
                      const char *strata, int robust, const char *const *refs, int threads,
                      rt_error *err)
{
    rt_cox_options o = {.covariates = cov,
                        .ncov = ncov,
                        .ref = refs,
                        .ties = ties,
                        .strata = strata,
                        .robust = robust,
                        .threads = threads};
    rt_result *r = NULL;
    rt_error e;
    if (!err)
        err = &e;
    if (rt_cox_run(d, &o, &r, err) != RT_OK && err == &e)
        fprintf(stderr, "  cox: %s\n", e.msg);
    return r;
}

static double field(const rt_result *r, const char *name)
{
    int found = 0;
    rt_value v = rt_result_get(r, name, &found);
    if (!found) {
        fprintf(stderr, "  no field %s\n", name);
        return (double)NAN;
    }
    return v.type == RT_VAL_INT ? (double)v.i : v.type == RT_VAL_DOUBLE ? v.d : (double)NAN;
}

static long col_of(const rt_result *r, size_t t, const char *name)
{
    for (size_t c = 0; c < rt_result_table_cols(r, t); c++)
        if (strcmp(rt_result_table_col_name(r, t, c), name) == 0)
            return (long)c;
    return -1;
}

static double cell(const rt_result *r, size_t row, const char *name)
{
    size_t t = (size_t)rt_result_main_table(r);
    long c = col_of(r, t, name);
    if (c < 0)
        return (double)NAN;
    return rt_result_table_cell(r, t, row, (size_t)c).d;
}

/* A p-value from R against ours: 'z' the statistic on the normal scale (sqrt of a chi-square
 * with one df, or for df > 1 sqrt(chisq / 2)), since a relative error e in the statistic
 * moves p by about z^2 e. R prints 0 below 1e-308; ours must then be as small. */
static void check_p(double got, double want, double z, double tol)
{
    if (want == 0) {
        CHECK(got < 1e-300);
        return;
    }
    CHECK_NEAR(got, want, tol * (1 + z * z));
}

/* Every number of 'x' against the result 'r'. 'tol' is relative; see the callers. */
static void check_ref(const rt_result *r, const ref *x, double tol)
{
    CHECK(r != NULL);
    if (!r)
        return;
    test_current = x->name;
    CHECK(field(r, "n") == (double)x->n);
    CHECK(field(r, "events") == (double)x->events);
    CHECK(field(r, "dropped_missing") == (double)x->dropped);
    CHECK(field(r, "iterations") == x->iter);
    CHECK_NEAR(field(r, "loglik_null"), x->ll0, tol);
    CHECK_NEAR(field(r, "loglik"), x->ll, tol);
    CHECK_NEAR(field(r, "lr_chisq"), x->lrt, tol);
    CHECK(field(r, "lr_df") == (double)x->p);
    check_p(field(r, "lr_p"), x->lrt_p, sqrt(x->lrt / 2), tol);
    CHECK_NEAR(field(r, "wald_chisq"), x->wald, tol);
    check_p(field(r, "wald_p"), x->wald_p, sqrt(x->wald / 2), tol);
    CHECK_NEAR(field(r, "score_chisq"), x->score, tol);
    check_p(field(r, "score_p"), x->score_p, sqrt(x->score / 2), tol);
    if (x->rscore > 0) {
        CHECK_NEAR(field(r, "robust_score_chisq"), x->rscore, tol);
        check_p(field(r, "robust_score_p"), x->rscore_p, sqrt(x->rscore / 2), tol);
    }
    CHECK(field(r, "concordant") == x->conc[0]);
    CHECK(field(r, "discordant") == x->conc[1]);
    CHECK(field(r, "tied_risk") == x->conc[2]);
    CHECK(field(r, "tied_time") == x->conc[3]);
    CHECK(field(r, "tied_risk_time") == x->conc[4]);
    /* counts are exact, so C agrees to rounding; its se sums n squared influences */
    CHECK_NEAR(field(r, "concordance"), x->conc[5], 1e-13);
    CHECK_NEAR(field(r, "concordance_se"), x->conc[6], 1e-11);
    size_t t = (size_t)rt_result_main_table(r);
    CHECK_STREQ(rt_result_table_name(r, t), "coefficients");
    CHECK(rt_result_table_rows(r, t) == x->p);
    for (size_t a = 0; a < x->p && a < rt_result_table_rows(r, t); a++) {
        CHECK_STREQ(rt_result_table_cell(r, t, a, 0).s, x->term[a]);
        CHECK_NEAR(cell(r, a, "coef"), x->coef[a], tol);
        CHECK_NEAR(cell(r, a, "hr"), exp(x->coef[a]), tol);
        CHECK_NEAR(cell(r, a, "se"), x->se[a], tol);
        if (x->rscore > 0)
            CHECK_NEAR(cell(r, a, "robust_se"), x->rse[a], tol);
        CHECK_NEAR(cell(r, a, "z"), x->z[a], tol);
        check_p(cell(r, a, "p"), x->pv[a], x->z[a], tol);
        CHECK_NEAR(cell(r, a, "hr_lower95"), x->lo[a], tol);
        CHECK_NEAR(cell(r, a, "hr_upper95"), x->hi[a], tol);
    }
}

/* Tolerance against R: both programs take the same Newton steps from 0 and stop at the same
 * iterate, so the results differ only by rounding in sums over the rows and in R's 15
 * printed digits. Measured: at most 3e-13 relative (the LR statistic, a difference of two
 * log-likelihoods, and p-values far in the tail, whose check_p allows for z^2). 1e-10 leaves
 * a margin of 300 and is far inside the 6 significant digits asked for. */
#define TOL_R 1e-10

static const char *const rossi_cov[] = {"fin", "age", "race", "wexp", "mar", "paro", "prio"};

static void rossi_matches_r(void)
{
    surv s;
    if (load(&s, DATA "rossi.csv", "week", "arrest", NULL) != 0) {
        CHECK(0);
        return;
    }
    rt_result *r = fit(&s.sd, rossi_cov, 7, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    check_ref(r, &rossi_efron, TOL_R);
    /* the figures, to the digits it gives: half a unit in the 8th decimal is at most
     * 1e-7 relative for these values */
    test_current = "rossi_issue_figures";
    CHECK_NEAR(cell(r, 0, "coef"), -0.37942217, 1e-7);
    CHECK_NEAR(cell(r, 1, "coef"), -0.05743774, 1e-7);
    CHECK_NEAR(cell(r, 6, "coef"), 0.09149708, 1e-7);
    CHECK_NEAR(field(r, "loglik"), -658.7476594, 1e-10);
    CHECK_NEAR(field(r, "concordance"), 0.6403292, 1e-7);
    /* a reference level makes the numeric 0/1 column race categorical: the same 0/1 column,
     * named race=1, and the same fit to the last bit */
    static const char *const race_ref[] = {NULL, NULL, "0", NULL, NULL, NULL, NULL};
    rt_result *rr = fit(&s.sd, rossi_cov, 7, RT_TIES_EFRON, NULL, 0, race_ref, 0, NULL);
    CHECK(rr != NULL);
    if (rr) {
        size_t t = (size_t)rt_result_main_table(rr);
        CHECK_STREQ(rt_result_table_cell(rr, t, 2, 0).s, "race=1");
        CHECK(cell(rr, 2, "coef") == cell(r, 2, "coef"));
        CHECK(field(rr, "loglik") == field(r, "loglik"));
    }
    rt_result_free(rr);
    rt_result_free(r);
    r = fit(&s.sd, rossi_cov, 7, RT_TIES_BRESLOW, NULL, 0, NULL, 0, NULL);
    check_ref(r, &rossi_breslow, TOL_R);
    rt_result_free(r);
    r = fit(&s.sd, rossi_cov, 7, RT_TIES_EFRON, NULL, 1, NULL, 0, NULL);
    check_ref(r, &rossi_efron_robust, TOL_R);
    rt_result_free(r);
    r = fit(&s.sd, rossi_cov, 7, RT_TIES_BRESLOW, NULL, 1, NULL, 0, NULL);
    check_ref(r, &rossi_breslow_robust, TOL_R);
    rt_result_free(r);
    static const char *const cov6[] = {"fin", "age", "wexp", "mar", "paro", "prio"};
    r = fit(&s.sd, cov6, 6, RT_TIES_EFRON, "race", 0, NULL, 0, NULL);
    check_ref(r, &rossi_strata_race, TOL_R);
    rt_result_free(r);
    surv_free(&s);
}

static void categorical_covariates_match_r(void)
{
    surv s;
    if (load(&s, DATA "gbsg2.csv", "time", "cens", NULL) != 0) {
        CHECK(0);
        return;
    }
    static const char *const cov[] = {"horTh",  "age",    "menostat", "tsize",
                                      "tgrade", "pnodes", "progrec",  "estrec"};
    rt_result *r = fit(&s.sd, cov, 8, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    check_ref(r, &gbsg2_efron, TOL_R);
    int found;
    CHECK_STREQ(rt_result_get(r, "references", &found).s, "horTh=no, menostat=Post, tgrade=II");
    rt_result_free(r);
    static const char *const cov2[] = {"horTh", "tgrade", "pnodes"};
    static const char *const ref2[] = {NULL, "I", NULL};
    r = fit(&s.sd, cov2, 3, RT_TIES_BRESLOW, NULL, 0, ref2, 0, NULL);
    check_ref(r, &gbsg2_breslow_ref_I, TOL_R);
    CHECK_STREQ(rt_result_get(r, "references", &found).s, "horTh=no, tgrade=I");
    rt_result_free(r);
    surv_free(&s);
}

static void missing_values_drop_rows_as_r(void)
{
    surv s;
    if (load(&s, DATA "lung.csv", "time", "status", NULL) != 0) {
        CHECK(0);
        return;
    }
    static const char *const cov[] = {"age", "sex", "ph.ecog", "wt.loss", "meal.cal"};
    rt_result *r = fit(&s.sd, cov, 5, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    check_ref(r, &lung_efron_na, TOL_R);
    rt_result_free(r);
    surv_free(&s);
}

static void strata_with_a_categorical_covariate_match_r(void)
{
    surv s;
    if (load(&s, DATA "dd.csv", "duration", "observed", NULL) != 0) {
        CHECK(0);
        return;
    }
    static const char *const cov[] = {"start_year", "un_continent_name"};
    rt_result *r = fit(&s.sd, cov, 2, RT_TIES_EFRON, "regime", 0, NULL, 0, NULL);
    check_ref(r, &dd_strata_efron, TOL_R);
    CHECK(field(r, "n_strata") == 6);
    rt_result_free(r);
    r = fit(&s.sd, cov, 2, RT_TIES_BRESLOW, "regime", 1, NULL, 0, NULL);
    check_ref(r, &dd_strata_breslow_robust, TOL_R);
    rt_result_free(r);
    surv_free(&s);
}

static const char *const telco_cov[] = {"SeniorCitizen", "MonthlyCharges", "Contract",
                                        "PaymentMethod", "InternetService"};

static void heavy_ties_match_r(void)
{
    surv s;
    if (load(&s, DATA "Telco-Customer-Churn.csv", "tenure", "Churn", "Yes") != 0) {
        CHECK(0);
        return;
    }
    rt_result *r = fit(&s.sd, telco_cov, 5, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    check_ref(r, &telco_efron, TOL_R);
    rt_result_free(r);
    r = fit(&s.sd, telco_cov, 5, RT_TIES_BRESLOW, NULL, 0, NULL, 0, NULL);
    check_ref(r, &telco_breslow, TOL_R);
    rt_result_free(r);
    r = fit(&s.sd, telco_cov, 5, RT_TIES_EFRON, NULL, 1, NULL, 0, NULL);
    check_ref(r, &telco_efron_robust, TOL_R);
    rt_result_free(r);
    surv_free(&s);
}

static void no_ties_efron_equals_breslow(void)
{
    surv s;
    if (load(&s, DATA "regression.csv", "T", "E", NULL) != 0) {
        CHECK(0);
        return;
    }
    static const char *const cov[] = {"var1", "var2", "var3"};
    rt_result *r = fit(&s.sd, cov, 3, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    check_ref(r, &regression_efron, TOL_R);
    rt_result_free(r);
    r = fit(&s.sd, cov, 3, RT_TIES_BRESLOW, NULL, 0, NULL, 0, NULL);
    check_ref(r, &regression_efron, TOL_R);
    rt_result_free(r);
    surv_free(&s);
}

/* ---- independent checks on generated data ---- */

/* Generated data: integer times 1..15 (heavy ties), x1 in {-1, 0.5, 2} (so risk scores tie
 * for equal rows), x2 in {0, 1}, a categorical grp (a most frequent, then b, c) and two
 * strata. */
typedef struct synth {
    size_t n;
    double *time, *x1, *x2;
    unsigned char *event;
    char (*buf)[24];
    const char **text[4];
    double *num[4];
    const char *names[4];
    rt_survdata sd;
} synth;

static uint64_t rng_state;

static double unif(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void synth_make(synth *s, size_t n, uint64_t seed, int continuous)
{
    static const double lv[3] = {-1, 0.5, 2};
    rng_state = seed;
    memset(s, 0, sizeof *s);
    s->n = n;
    s->time = malloc(n * sizeof *s->time);
    s->x1 = malloc(n * sizeof *s->x1);
    s->x2 = malloc(n * sizeof *s->x2);
    s->event = malloc(n);
    s->buf = malloc(2 * n * sizeof *s->buf);
    for (int c = 0; c < 4; c++) {
        s->text[c] = malloc(n * sizeof *s->text[c]);
        s->num[c] = malloc(n * sizeof *s->num[c]);
    }
    s->names[0] = "x1";
    s->names[1] = "x2";
    s->names[2] = "grp";
    s->names[3] = "st";
    for (size_t i = 0; i < n; i++) {
        double x1 = lv[(int)(unif() * 3)], x2 = unif() < 0.4;
        double u = unif();
        const char *g = u < 0.5 ? "a" : u < 0.8 ? "b" : "c";
        int st = unif() < 0.5;
        double rate = 0.1 * exp(0.5 * x1 - 0.7 * x2 +
                                (g[0] == 'b'   ? 0.3
                                 : g[0] == 'c' ? -0.4
                                               : 0) +
                                0.2 * st);
        double t = -log(1 - unif()) / rate, cens = 3 + 15 * unif();
        s->event[i] = t <= cens;
        t = t < cens ? t : cens;
        s->time[i] = continuous ? t : ceil(t < 15 ? t : 15);
        s->x1[i] = x1;
        s->x2[i] = x2;
        snprintf(s->buf[2 * i], sizeof s->buf[0], "%g", x1);
        snprintf(s->buf[2 * i + 1], sizeof s->buf[0], "%g", x2);
        s->text[0][i] = s->buf[2 * i];
        s->text[1][i] = s->buf[2 * i + 1];
        s->text[2][i] = g;
        s->text[3][i] = st ? "s2" : "s1";
        s->num[0][i] = x1;
        s->num[1][i] = x2;
        s->num[2][i] = s->num[3][i] = (double)NAN;
    }
    s->sd = (rt_survdata){.n = n,
                          .time = s->time,
                          .event = s->event,
                          .ncols = 4,
                          .col_name = s->names,
                          .text = (const char *const *const *)s->text,
                          .num = (const double *const *)s->num};
}

static void synth_free(synth *s)
{
    for (int c = 0; c < 4; c++) {
        free(s->text[c]);
        free(s->num[c]);
    }
    free(s->time);
    free(s->x1);
    free(s->x2);
    free(s->event);
    free(s->buf);
}

/* Design row i of 's' for x1, x2, grp (b, c against a). */
static void design_row(const synth *s, size_t i, double *x)
{
    x[0] = s->x1[i];
    x[1] = s->x2[i];
    x[2] = s->text[2][i][0] == 'b';
    x[3] = s->text[2][i][0] == 'c';
}

/* The log partial likelihood by its definition, O(n^2): for each stratum and event time t
 * with deaths D and risk set R (time >= t), sum_D eta - sum_k log(sum_R e^eta - k/d sum_D
 * e^eta), k = 0..d-1 (Efron), or d log(sum_R e^eta) (Breslow). */
static double brute_loglik(const synth *s, const double *beta, int efron, int strata)
{
    size_t n = s->n;
    double *eta = malloc(n * sizeof *eta), x[4], ll = 0;
    for (size_t i = 0; i < n; i++) {
        design_row(s, i, x);
        eta[i] = beta[0] * x[0] + beta[1] * x[1] + beta[2] * x[2] + beta[3] * x[3];
    }
    for (size_t i = 0; i < n; i++) {
        if (!s->event[i])
            continue;
        /* handle each (stratum, time) once: at its first death in row order */
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = !(s->event[j] && s->time[j] == s->time[i] &&
                      (!strata || s->text[3][j][1] == s->text[3][i][1]));
        if (!first)
            continue;
        double risk = 0, dead = 0, deta = 0;
        int d = 0;
        for (size_t j = 0; j < n; j++) {
            if (strata && s->text[3][j][1] != s->text[3][i][1])
                continue;
            if (s->time[j] >= s->time[i])
                risk += exp(eta[j]);
            if (s->event[j] && s->time[j] == s->time[i]) {
                dead += exp(eta[j]);
                deta += eta[j];
                d++;
            }
        }
        ll += deta;
        for (int k = 0; k < d; k++)
            ll -= log(risk - (efron ? (double)k / d * dead : 0));
    }
    free(eta);
    return ll;
}

/* The coefficients of 'r' (4 of them). */
static void coefs(const rt_result *r, double *beta)
{
    for (size_t a = 0; a < 4; a++)
        beta[a] = cell(r, a, "coef");
}

static void loglik_score_and_se_agree_with_brute_force(void)
{
    synth s;
    synth_make(&s, 300, 11, 0);
    static const char *const cov[] = {"x1", "x2", "grp"};
    for (int efron = 0; efron <= 1; efron++)
        for (int strata = 0; strata <= 1; strata++) {
            rt_result *r = fit(&s.sd, cov, 3, efron ? RT_TIES_EFRON : RT_TIES_BRESLOW,
                               strata ? "st" : NULL, 0, NULL, 0, NULL);
            CHECK(r != NULL);
            if (!r)
                continue;
            double b[4], zero[4] = {0, 0, 0, 0};
            coefs(r, b);
            /* two summation orders of the same terms: rounding only */
            CHECK_NEAR(field(r, "loglik"), brute_loglik(&s, b, efron, strata), 1e-12);
            CHECK_NEAR(field(r, "loglik_null"), brute_loglik(&s, zero, efron, strata), 1e-12);
            /* the score at the fit is ~0: central differences with h = 1e-5 err by about
             * 1e-16 |loglik| / h ~ 1e-8 */
            double h = 1e-5, H[4][4];
            for (int a = 0; a < 4; a++) {
                double bp[4], bm[4];
                memcpy(bp, b, sizeof bp);
                memcpy(bm, b, sizeof bm);
                bp[a] += h;
                bm[a] -= h;
                double g =
                    (brute_loglik(&s, bp, efron, strata) - brute_loglik(&s, bm, efron, strata)) /
                    (2 * h);
                CHECK(fabs(g) < 1e-5);
            }
            /* se from the inverse of minus the numerical Hessian (h = 1e-3: truncation about
             * h^2 = 1e-6 relative, rounding 1e-16 |loglik| / h^2 ~ 1e-8): agree to 1e-4 */
            h = 1e-3;
            for (int a = 0; a < 4; a++)
                for (int c = 0; c < 4; c++) {
                    double v[4][4];
                    int sg[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
                    for (int q = 0; q < 4; q++) {
                        memcpy(v[q], b, sizeof v[q]);
                        v[q][a] += sg[q][0] * h;
                        v[q][c] += sg[q][1] * h;
                    }
                    H[a][c] = -(brute_loglik(&s, v[0], efron, strata) -
                                brute_loglik(&s, v[1], efron, strata) -
                                brute_loglik(&s, v[2], efron, strata) +
                                brute_loglik(&s, v[3], efron, strata)) /
                              (4 * h * h);
                }
            /* invert the 4 x 4 information by Gauss-Jordan */
            double inv[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
            for (int c = 0; c < 4; c++) {
                double pv = H[c][c];
                for (int k = 0; k < 4; k++) {
                    H[c][k] /= pv;
                    inv[c][k] /= pv;
                }
                for (int q = 0; q < 4; q++) {
                    if (q == c)
                        continue;
                    double f = H[q][c];
                    for (int k = 0; k < 4; k++) {
                        H[q][k] -= f * H[c][k];
                        inv[q][k] -= f * inv[c][k];
                    }
                }
            }
            for (size_t a = 0; a < 4; a++)
                CHECK_NEAR(cell(r, a, "se"), sqrt(inv[a][a]), 1e-4);
            rt_result_free(r);
        }
    synth_free(&s);
}

/* Harrell's C by its definition over all pairs, with R's rules for ties; also the
 * infinitesimal-jackknife se from per-row pair counts. */
static void brute_concordance(const synth *s, const double *eta, int strata, double *count,
                              double *c, double *se)
{
    size_t n = s->n;
    double *ci = calloc(3 * n, sizeof *ci);
    memset(count, 0, 5 * sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j || !s->event[i])
                continue;
            if (strata && s->text[3][i][1] != s->text[3][j][1])
                continue;
            if (s->time[i] == s->time[j] && s->event[j]) {
                if (i < j)
                    count[eta[i] == eta[j] ? 4 : 3]++;
                continue;
            }
            if (!(s->time[i] < s->time[j] || (s->time[i] == s->time[j] && !s->event[j])))
                continue;
            size_t k = eta[i] > eta[j] ? 0 : eta[i] < eta[j] ? 1 : 2;
            count[k]++;
            ci[3 * i + k]++;
            ci[3 * j + k]++;
        }
    double np = count[0] + count[1] + count[2], somer = (count[0] - count[1]) / np, var = 0;
    for (size_t i = 0; i < n; i++) {
        double *q = ci + 3 * i;
        double d = (q[0] - q[1]) / np - somer / np * (q[0] + q[1] + q[2]);
        var += d * d;
    }
    *c = (somer + 1) / 2;
    *se = sqrt(var / 4);
    free(ci);
}

static void concordance_agrees_with_brute_force(void)
{
    synth s;
    synth_make(&s, 400, 5, 0);
    static const char *const cov[] = {"x1", "x2", "grp"};
    for (int strata = 0; strata <= 1; strata++) {
        rt_result *r = fit(&s.sd, cov, 3, RT_TIES_EFRON, strata ? "st" : NULL, 0, NULL, 0, NULL);
        CHECK(r != NULL);
        if (!r)
            continue;
        double b[4], x[4], count[5], c, se;
        coefs(r, b);
        double *eta = malloc(s.n * sizeof *eta);
        for (size_t i = 0; i < s.n; i++) {
            design_row(&s, i, x);
            eta[i] = b[0] * x[0] + b[1] * x[1] + b[2] * x[2] + b[3] * x[3];
        }
        brute_concordance(&s, eta, strata, count, &c, &se);
        CHECK(count[2] > 0 && count[3] > 0 && count[4] > 0); /* all kinds of ties occur */
        CHECK(field(r, "concordant") == count[0]);
        CHECK(field(r, "discordant") == count[1]);
        CHECK(field(r, "tied_risk") == count[2]);
        CHECK(field(r, "tied_time") == count[3]);
        CHECK(field(r, "tied_risk_time") == count[4]);
        CHECK_NEAR(field(r, "concordance"), c, 1e-14);     /* same exact counts */
        CHECK_NEAR(field(r, "concordance_se"), se, 1e-12); /* n sums in another order */
        free(eta);
        rt_result_free(r);
    }
    synth_free(&s);
}

/* rt_concordance_run directly against the pair definition on 3000 rows in 3 strata: scores
 * with 300 distinct values (so the block counters span several blocks) and times with ties
 * (about 5 rows per time). */
static void concordance_counts_many_ranks(void)
{
    enum { N = 3000 };
    static double time[N], score[N];
    static unsigned char event[N];
    size_t sstart[4] = {0, 700, 1900, N};
    rng_state = 77;
    for (size_t s = 0; s < 3; s++) {
        /* times ascending within each stratum, with runs of equal times */
        double t = 0;
        for (size_t i = sstart[s]; i < sstart[s + 1]; i++) {
            if (unif() < 0.2)
                t += 1;
            time[i] = t;
            event[i] = unif() < 0.55;
            score[i] = floor(unif() * 300) / 7;
        }
    }
    rt_concordance c;
    CHECK(rt_concordance_run(N, time, event, sstart, 3, score, 2, &c) == RT_OK);
    double count[5] = {0}, ci[3 * N] = {0};
    for (size_t s = 0; s < 3; s++)
        for (size_t i = sstart[s]; i < sstart[s + 1]; i++)
            for (size_t j = sstart[s]; j < sstart[s + 1]; j++) {
                if (i == j || !event[i])
                    continue;
                if (time[i] == time[j] && event[j]) {
                    if (i < j)
                        count[score[i] == score[j] ? 4 : 3]++;
                    continue;
                }
                if (!(time[i] < time[j] || (time[i] == time[j] && !event[j])))
                    continue;
                size_t k = score[i] > score[j] ? 0 : score[i] < score[j] ? 1 : 2;
                count[k]++;
                ci[3 * i + k]++;
                ci[3 * j + k]++;
            }
    double np = count[0] + count[1] + count[2], somer = (count[0] - count[1]) / np, var = 0;
    for (size_t i = 0; i < N; i++) {
        double d = (ci[3 * i] - ci[3 * i + 1]) / np -
                   somer / np * (ci[3 * i] + ci[3 * i + 1] + ci[3 * i + 2]);
        var += d * d;
    }
    CHECK(c.concordant == count[0] && c.discordant == count[1] && c.tied_x == count[2]);
    CHECK(c.tied_y == count[3] && c.tied_xy == count[4] && count[2] > 0 && count[4] > 0);
    CHECK_NEAR(c.c, (somer + 1) / 2, 1e-14); /* the same exact counts */
    CHECK_NEAR(c.se, sqrt(var / 4), 1e-12);  /* sums of 3000 squares in another order */
    rt_concordance one;
    CHECK(rt_concordance_run(N, time, event, sstart, 3, score, 1, &one) == RT_OK);
    CHECK(memcmp(&one, &c, sizeof c) == 0);
}

/* Bitwise equality of every number of two results' fields and main tables. */
static int same_result(const rt_result *a, const rt_result *b)
{
    if (rt_result_field_count(a) != rt_result_field_count(b))
        return 0;
    for (size_t i = 0; i < rt_result_field_count(a); i++) {
        rt_value x = rt_result_field(a, i), y = rt_result_field(b, i);
        if (x.type != y.type || x.i != y.i || memcmp(&x.d, &y.d, sizeof x.d) != 0)
            return 0;
    }
    size_t t = (size_t)rt_result_main_table(a);
    for (size_t row = 0; row < rt_result_table_rows(a, t); row++)
        for (size_t c = 1; c < rt_result_table_cols(a, t); c++) {
            double x = rt_result_table_cell(a, t, row, c).d,
                   y = rt_result_table_cell(b, t, row, c).d;
            if (memcmp(&x, &y, sizeof x) != 0)
                return 0;
        }
    return 1;
}

static void results_do_not_depend_on_threads(void)
{
    synth s;
    synth_make(&s, 60000, 99, 1); /* continuous times: many small tie groups and units */
    static const char *const cov[] = {"x1", "x2", "grp"};
    for (int robust = 0; robust <= 1; robust++) {
        rt_result *one = fit(&s.sd, cov, 3, RT_TIES_EFRON, "st", robust, NULL, 1, NULL);
        rt_result *many = fit(&s.sd, cov, 3, RT_TIES_EFRON, "st", robust, NULL, 5, NULL);
        CHECK(one && many && same_result(one, many));
        rt_result_free(one);
        rt_result_free(many);
    }
    synth_free(&s);
    synth_make(&s, 60000, 98, 0); /* 15 times: tie groups larger than a unit */
    rt_result *one = fit(&s.sd, cov, 3, RT_TIES_EFRON, NULL, 1, NULL, 1, NULL);
    rt_result *many = fit(&s.sd, cov, 3, RT_TIES_EFRON, NULL, 1, NULL, 3, NULL);
    CHECK(one && many && same_result(one, many));
    rt_result_free(one);
    rt_result_free(many);
    synth_free(&s);
}

static void nearly_equal_times_are_merged_as_r(void)
{
    surv s;
    if (load(&s, DATA "rossi.csv", "week", "arrest", NULL) != 0) {
        CHECK(0);
        return;
    }
    rt_result *a = fit(&s.sd, rossi_cov, 7, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    for (size_t i = 0; i < s.sd.n; i += 3)
        s.time[i] *= 1 + 1e-10; /* below aeqSurv's sqrt(eps) = 1.5e-8 */
    rt_result *b = fit(&s.sd, rossi_cov, 7, RT_TIES_EFRON, NULL, 0, NULL, 0, NULL);
    CHECK(a && b);
    if (a && b) {
        /* the same tie groups, summed in another order */
        CHECK_NEAR(field(b, "loglik"), field(a, "loglik"), 1e-13);
        CHECK_NEAR(cell(b, 0, "coef"), cell(a, 0, "coef"), 1e-11);
        CHECK(field(b, "tied_time") == field(a, "tied_time"));
    }
    rt_result_free(a);
    rt_result_free(b);
    surv_free(&s);
}

/* ---- errors ---- */

/* Run and return the status, the message in 'err'. */
static rt_status run_err(const rt_survdata *d, const char *const *cov, size_t ncov,
                         const char *const *refs, const char *strata, rt_error *err)
{
    rt_cox_options o = {.covariates = cov, .ncov = ncov, .ref = refs, .strata = strata};
    rt_result *r = (rt_result *)1;
    rt_status st = rt_cox_run(d, &o, &r, err);
    CHECK(r == NULL || st == RT_OK);
    rt_result_free(st == RT_OK ? r : NULL);
    return st;
}

/* A small table with columns given as text. */
typedef struct mini {
    double time[10];
    unsigned char event[10];
    const char *names[4];
    const char *text[4][10];
    double num[4][10];
    const char **tp[4];
    double *np[4];
    rt_survdata sd;
} mini;

static void mini_make(mini *m, int ncols)
{
    for (int c = 0; c < ncols; c++) {
        for (int i = 0; i < 10; i++)
            m->num[c][i] = to_num(m->text[c][i]);
        m->tp[c] = m->text[c];
        m->np[c] = m->num[c];
    }
    m->sd = (rt_survdata){.n = 10,
                          .time = m->time,
                          .event = m->event,
                          .ncols = (size_t)ncols,
                          .col_name = m->names,
                          .text = (const char *const *const *)m->tp,
                          .num = (const double *const *)m->np};
}

static void perfect_separation_names_the_covariate(void)
{
    /* x = 1 for the four first events, 0 for everyone later: the coefficient of x runs off
     * to infinity (R: "Loglik converged before variable 1; coefficient may be infinite") */
    mini m = {.time = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
              .event = {1, 1, 1, 1, 1, 0, 1, 0, 1, 1},
              .names = {"x", "z"},
              .text = {{"1", "1", "1", "1", "0", "0", "0", "0", "0", "0"},
                       {"0.5", "-1.2", "0.3", "2.1", "-0.7", "1.5", "0.2", "-0.4", "0.9", "-1.1"}}};
    mini_make(&m, 2);
    static const char *const cov[] = {"x", "z"};
    rt_error err;
    CHECK(run_err(&m.sd, cov, 2, NULL, NULL, &err) == RT_ENOCONV);
    CHECK_STREQ(err.msg, "cox: the coefficient of 'x' may be infinite: the log-likelihood "
                         "converged while it was still growing (perfect separation: the "
                         "covariate predicts the order of events exactly?)");
}

static void singular_design_names_the_covariate(void)
{
    mini m = {.time = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
              .event = {1, 0, 1, 1, 0, 1, 1, 0, 1, 1},
              .names = {"z", "z2", "k", "g"},
              .text = {{"0.5", "-1.2", "0.3", "2.1", "-0.7", "1.5", "0.2", "-0.4", "0.9", "-1.1"},
                       {"2", "-1.4", "1.6", "5.2", "-0.4", "4", "1.4", "0.2", "2.8", "-1.2"},
                       {"3", "3", "3", "3", "3", "3", "3", "3", "3", "3"},
                       {"a", "b", "a", "b", "a", "b", "a", "b", "a", "b"}}};
    mini_make(&m, 4);
    rt_error err;
    static const char *const cov[] = {"z", "z2"}; /* z2 = 2 z + 1 */
    CHECK(run_err(&m.sd, cov, 2, NULL, NULL, &err) == RT_ENOCONV);
    CHECK_STREQ(err.msg, "cox: singular design: 'z2' is constant or a linear combination of the "
                         "covariates before it; leave it out");
    static const char *const cov2[] = {"k", "z"};
    CHECK(run_err(&m.sd, cov2, 2, NULL, NULL, &err) == RT_ENOCONV);
    CHECK_STREQ(err.msg, "cox: singular design: 'k' is constant or a linear combination of the "
                         "covariates before it; leave it out");
    /* a one-level categorical column is an input error, named with its value */
    static const char *const cov3[] = {"z", "g"};
    static const char *const ref3[] = {NULL, "c"};
    CHECK(run_err(&m.sd, cov3, 2, ref3, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg,
                "cox: reference level \"c\" of covariate 'g' does not occur (levels: a, b)");
    static const char *const ref4[] = {NULL, "b"};
    CHECK(run_err(&m.sd, cov3, 2, ref4, NULL, &err) == RT_OK);
    static const char *const cov5[] = {"k"};
    static const char *const ref5[] = {"3"};
    CHECK(run_err(&m.sd, cov5, 1, ref5, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg,
                "cox: categorical covariate 'k' has a single level (\"3\") in the 10 rows used");
}

static void bad_input_gives_clear_messages(void)
{
    mini m = {.time = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
              .event = {1, 0, 1, 1, 0, 1, 1, 0, 1, 1},
              .names = {"z", "mixed", "gap"},
              .text = {{"0.5", "-1.2", "0.3", "2.1", "-0.7", "1.5", "0.2", "-0.4", "0.9", "-1.1"},
                       {"1", "2", "3", "4", "x5", "6", "7", "8", "9", "10"},
                       {"1", "", "NA", " ", "2", "3", "1", "2", "3", "1"}}};
    mini_make(&m, 3);
    rt_error err;
    static const char *const nope[] = {"z", "nope"};
    CHECK(run_err(&m.sd, nope, 2, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: no covariate column \"nope\" (columns: z, mixed, gap)");
    static const char *const z[] = {"z"};
    CHECK(run_err(&m.sd, z, 1, NULL, "nope", &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: no strata column \"nope\" (columns: z, mixed, gap)");
    static const char *const mixed[] = {"mixed"};
    CHECK(run_err(&m.sd, mixed, 1, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: covariate 'mixed', row 5: expected a number, got \"x5\" (other "
                         "rows hold numbers; give a reference level to use it as categorical)");
    CHECK(run_err(&m.sd, NULL, 0, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: no covariates given");
    /* empty, NA and blank values drop their rows, as R's na.omit */
    static const char *const gap[] = {"gap"};
    rt_cox_options o = {.covariates = gap, .ncov = 1};
    rt_result *r = NULL;
    CHECK(rt_cox_run(&m.sd, &o, &r, &err) == RT_OK);
    CHECK(r && field(r, "n") == 7 && field(r, "dropped_missing") == 3);
    rt_result_free(r);
    /* with z as well, the 7 rows left are perfectly separated: the log-likelihood creeps to
     * 0 and the fit runs out of iterations (R: "Ran out of iterations and did not converge") */
    static const char *const zgap[] = {"z", "gap"};
    CHECK(run_err(&m.sd, zgap, 2, NULL, NULL, &err) == RT_ENOCONV);
    CHECK(strncmp(err.msg, "cox: no convergence after 20 iterations (log-likelihood ", 56) == 0);
    /* the message names the coefficients still growing */
    CHECK(strstr(err.msg, "still growing: 'z'") != NULL);
    CHECK(strstr(err.msg, "perfect separation?") != NULL);
    unsigned char none[10] = {0};
    m.sd.event = none;
    CHECK(run_err(&m.sd, z, 1, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: no events among the 10 rows used (every row is censored)");
    m.sd.event = m.event;
    m.time[3] = -1;
    CHECK(run_err(&m.sd, z, 1, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: row 4: the time -1 is not a finite number >= 0");
    m.time[3] = 4;
    double entry[10] = {0};
    m.sd.entry = entry;
    CHECK(run_err(&m.sd, z, 1, NULL, NULL, &err) == RT_EDOMAIN);
    CHECK_STREQ(err.msg, "cox: entry times (left truncation) are not supported");
    m.sd.entry = NULL;
    CHECK(rt_cox_run(&m.sd, NULL, &r, &err) == RT_EMISUSE && r == NULL);
    CHECK(rt_cox_run(NULL, &o, &r, &err) == RT_EMISUSE && r == NULL);
}

static void every_writer_prints_the_result(void)
{
    surv s;
    if (load(&s, DATA "gbsg2.csv", "time", "cens", NULL) != 0) {
        CHECK(0);
        return;
    }
    static const char *const cov[] = {"horTh", "age", "tgrade"};
    rt_result *r = fit(&s.sd, cov, 3, RT_TIES_EFRON, "menostat", 1, NULL, 0, NULL);
    CHECK(r != NULL);
    CHECK_STREQ(rt_result_kind(r), "cox");
    rt_format fm[3] = {RT_FORMAT_TABLE, RT_FORMAT_CSV, RT_FORMAT_JSON};
    for (int k = 0; k < 3 && r; k++) {
        FILE *f = tmpfile();
        CHECK(f && rt_result_write(r, f, fm[k], NULL) == RT_OK);
        CHECK(f && ftell(f) > 100);
        if (f)
            fclose(f);
    }
    rt_result_free(r);
    surv_free(&s);
}

int main(void)
{
    TEST(rossi_matches_r);
    TEST(categorical_covariates_match_r);
    TEST(missing_values_drop_rows_as_r);
    TEST(strata_with_a_categorical_covariate_match_r);
    TEST(heavy_ties_match_r);
    TEST(no_ties_efron_equals_breslow);
    TEST(loglik_score_and_se_agree_with_brute_force);
    TEST(concordance_agrees_with_brute_force);
    TEST(concordance_counts_many_ranks);
    TEST(results_do_not_depend_on_threads);
    TEST(nearly_equal_times_are_merged_as_r);
    TEST(perfect_separation_names_the_covariate);
    TEST(singular_design_names_the_covariate);
    TEST(bad_input_gives_clear_messages);
    TEST(every_writer_prints_the_result);
    return test_report();
}
