# Texts of the library rules (rules/*/*.toml), English, for compliance
# officers: each rule's title, description and guideline section, and a
# label and a help sentence for each of its parameters. Every key here must
# exist in kk.ftl and ru.ftl too (rules/locales/check.py checks).
# Keys: rule-<id>-title, rule-<id>-description, rule-<id>-section,
# rule-<id>-param-<param>-label, rule-<id>-param-<param>-help.

## Conflict of interest

rule-coi-relative-without-mitigation-title = Relative in the reporting line or in a procurement, and no measure proposed
rule-coi-relative-without-mitigation-description = An employee disclosed a relative who is in their reporting line or takes part in a procurement, and says there is no conflict of interest. The compliance unit must decide whether that is so and how to settle it.
rule-coi-relative-without-mitigation-section = Conflict of interest: relatives
rule-coi-relative-without-mitigation-explanation = Disclosed { $situation } ({ $description }) with no mitigation proposed

rule-committee-member-interest-in-bidder-title = Tender committee member, or their relative, has a stake in a bidder
rule-committee-member-interest-in-bidder-description = A member of a procurement's tender committee, or a relative they declared, owns shares in, founded, directs or sits on the board of a company that bids for or supplies that procurement. Such a member cannot judge the bids impartially; people are matched by IIN and companies by BIN.
rule-committee-member-interest-in-bidder-section = Public procurement: independent committees and conflict of interest
rule-committee-member-interest-in-bidder-explanation = Conflict of interest on the tender committee: committee member { $member }; { $holder } ({ $relation }) has an interest in { $company } (BIN { $company_bin }), a bidder or supplier, as { $interest_role }

rule-high-risk-staff-outside-activity-title = Outside business activity by an employee in a high-risk position
rule-high-risk-staff-outside-activity-description = An employee whose position is on the organisation's list of high-risk positions disclosed outside employment, a business of their own or a shareholding. Disclosing it was right, but the compliance unit must decide what follows: a transfer, selling the interest or ending the activity.
rule-high-risk-staff-outside-activity-section = Conflict of interest: business activity and outside employment
rule-high-risk-staff-outside-activity-explanation = Disclosed { $situation } by the holder of the high-risk position "{ $position }" (risk level { $risk_level }); proposed resolution: { $proposed_resolution }

rule-hr-decided-by-relative-title = Hiring, transfer or promotion decided by a relative
rule-hr-decided-by-relative-description = One of the people who decided on an employee's hiring, transfer or promotion is that employee's relative, as stated on the decision or as found among the relatives the employee declared. Relatives must not decide on each other's careers.
rule-hr-decided-by-relative-section = Conflict of interest: relatives in HR decisions
rule-hr-decided-by-relative-explanation = Decision on the { $action } of { $person } taken with { $decision_maker } ({ $decision_maker_role }), who is their { $relation }

rule-post-employment-with-counterparty-title = Job offer from a participant in a procurement
rule-post-employment-with-counterparty-description = An employee disclosed an offer of a job after leaving from an organisation that takes part in one of the organisation's open procurements. The prospect of a future job can sway the decisions the employee makes today.
rule-post-employment-with-counterparty-section = Conflict of interest: work after leaving the organisation
rule-post-employment-with-counterparty-explanation = Post-employment offer from { $company } (BIN { $company_bin }), a participant in an open procurement

## Anti-corruption culture

rule-high-risk-staff-without-training-title = Employee in a high-risk position without anti-corruption training in the last year
rule-high-risk-staff-without-training-description = An employee now in a position on the list of high-risk positions has completed no anti-corruption training in the last 365 days. People most exposed to corruption risk should be trained every year.
rule-high-risk-staff-without-training-section = Anti-corruption culture: training
rule-high-risk-staff-without-training-explanation = { $person } (IIN { $iin }) holds a high-risk position and has had no anti-corruption training in the last year

## Financial control

rule-declaration-filed-late-title = Asset and income declaration filed after the deadline
rule-declaration-filed-late-description = An employee's declaration of assets, liabilities and income for a reporting year first arrived after the deadline the organisation set for that year. Late declarations weaken financial control.
rule-declaration-filed-late-section = Financial control: declarations and their deadlines
rule-declaration-filed-late-explanation = Declaration for { $year } filed on { $filed_date }, { $days_late } days after the deadline of { $due_date }

rule-declaration-missing-title = Asset and income declaration not filed by the deadline
rule-declaration-missing-description = A person employed during a reporting year has filed no declaration of assets, liabilities and income for it, and the deadline has passed. The finding is closed once the declaration arrives.
rule-declaration-missing-section = Financial control: declarations and their deadlines
rule-declaration-missing-explanation = No declaration of assets and income for { $year } from { $person } (IIN { $iin }); it was due by { $due_date }

rule-liability-to-counterparty-title = Debt to, or income from, a participant in a procurement
rule-liability-to-counterparty-description = A declaration shows a debt owed to, or income received from, an organisation that takes part in one of the organisation's open procurements. Money ties with a bidder or supplier are a conflict of interest.
rule-liability-to-counterparty-section = Financial control: liabilities and income
rule-liability-to-counterparty-explanation = The declaration shows a money tie with { $counterparty } (BIN { $counterparty_bin }), a participant in an open procurement: { $tie }, { $amount_kzt } ({ $tie_kind })

rule-unexplained-asset-growth-title = Growth in wealth that declared income does not explain
rule-unexplained-asset-growth-description = A person's net worth (assets minus debts) grew from one year's declaration to the next by more than their declared income for the later year plus a tolerance. Wealth that income cannot explain may be a sign of illicit enrichment.
rule-unexplained-asset-growth-section = Financial control: declarations of assets, liabilities and income
rule-unexplained-asset-growth-explanation = Net worth grew by { $growth_kzt } from { $previous_year } to { $year } against { $income_kzt } of declared income: { $unexplained_kzt } unexplained, above the allowance of { $allowance_mci } MCI ({ $allowance_kzt } at { $mci_kzt } per MCI)
rule-unexplained-asset-growth-param-allowance_mci-label = Tolerance
rule-unexplained-asset-growth-param-allowance_mci-help = How much growth in net worth beyond declared income is accepted without a finding, in monthly calculation indices (MCI) of the declaration's year, to allow for family gifts, inheritance or revaluation.

## Gifts

rule-gift-from-open-procurement-counterparty-title = Gift from a participant in an open procurement
rule-gift-from-open-procurement-counterparty-description = An employee received a gift, of any value, from an organisation that bids for or supplies one of the organisation's open procurements. Even a small gift from such a giver can influence the procurement.
rule-gift-from-open-procurement-counterparty-section = Conflict of interest: gifts; public procurement
rule-gift-from-open-procurement-counterparty-explanation = Gift "{ $description }" worth { $value_kzt } received on { $date } from { $giver } (BIN { $giver_bin }), a participant in an open procurement

rule-gift-not-handed-over-title = Gift above the limit kept instead of handed over
rule-gift-not-handed-over-description = An employee kept a gift worth more than the limit instead of returning it or handing it over to the organisation. A gift received in connection with official duties must be handed over; a gift with no decision yet is covered by the rule on gifts above the limit.
rule-gift-not-handed-over-section = Conflict of interest: gifts
rule-gift-not-handed-over-explanation = Gift "{ $description }" from { $giver } worth { $value_kzt }, above { $limit_mci } MCI ({ $limit_kzt }), was kept instead of handed over
rule-gift-not-handed-over-param-limit_mci-label = Gift limit
rule-gift-not-handed-over-param-limit_mci-help = The value above which a gift must be returned or handed over, in monthly calculation indices (MCI) of the year the gift was received.

rule-gift-over-mci-limit-title = Gift received above the limit
rule-gift-over-mci-limit-description = An employee received a gift worth more than the permitted number of monthly calculation indices (MCI) for the year of the gift. The compliance unit checks whether the gift was returned or handed over.
rule-gift-over-mci-limit-section = Conflict of interest: gifts
rule-gift-over-mci-limit-explanation = Gift "{ $description }" from { $giver } worth { $value_kzt } exceeds the limit of { $limit_mci } MCI ({ $limit_kzt } at { $mci_kzt } per MCI in { $year })
rule-gift-over-mci-limit-param-limit_mci-label = Gift limit
rule-gift-over-mci-limit-param-limit_mci-help = The largest gift value allowed, in monthly calculation indices (MCI) of the year the gift was received; a gift worth more is flagged.

rule-repeated-gifts-from-one-giver-title = Repeated gifts from one giver
rule-repeated-gifts-from-one-giver-description = One giver (the same BIN or IIN, or else the same name) gave the organisation's employees several gifts within a set period. Each gift may be small and allowed, but a series of them is how a relationship with a counterparty is bought.
rule-repeated-gifts-from-one-giver-section = Conflict of interest: gifts
rule-repeated-gifts-from-one-giver-explanation = { $giver } gave { $count } gifts worth { $total_kzt } in total to { $receivers } of the organisation's people within { $window_days } days up to { $latest_date }
rule-repeated-gifts-from-one-giver-param-min_count-label = Number of gifts
rule-repeated-gifts-from-one-giver-param-min_count-help = How many gifts from one giver within the period are flagged as a series; a smaller number flags more givers.
rule-repeated-gifts-from-one-giver-param-window_days-label = Period
rule-repeated-gifts-from-one-giver-param-window_days-help = How far back from the giver's latest gift the gifts are counted, in days.

## Policies and compliance

rule-no-anti-corruption-policy-title = No anti-corruption policy adopted
rule-no-anti-corruption-policy-description = A quasi-public or private organisation has recorded no adopted anti-corruption policy. Public bodies follow the standards of their sphere instead and are not checked.
rule-no-anti-corruption-policy-section = Quasi-public and private sector: anti-corruption policy
rule-no-anti-corruption-policy-explanation = The organisation ({ $sector }) has no anti-corruption policy on record; record its adoption as an anti-corruption measure

rule-no-compliance-unit-title = No anti-corruption compliance unit
rule-no-compliance-unit-description = A quasi-public sector organisation has recorded no anti-corruption compliance unit, which the Law of the Republic of Kazakhstan "On Combating Corruption" requires of it. For private companies a compliance unit is good practice, checked only when the organisation chooses.
rule-no-compliance-unit-section = Quasi-public and private sector: compliance units
rule-no-compliance-unit-explanation = The organisation ({ $sector }) has no anti-corruption compliance unit on record
rule-no-compliance-unit-param-include_private-label = Check private companies too
rule-no-compliance-unit-param-include_private-help = When switched on, private companies are also expected to have an anti-corruption compliance unit; when off, only quasi-public sector organisations are checked.

rule-no-recent-risk-assessment-title = No internal analysis of corruption risks in the last year
rule-no-recent-risk-assessment-description = The organisation has recorded no completed internal analysis of corruption risks in the last 365 days. Every organisation, public bodies included, should analyse its corruption risks each year.
rule-no-recent-risk-assessment-section = Corruption risk map: internal analysis of corruption risks
rule-no-recent-risk-assessment-explanation = The organisation ({ $sector }) has recorded no completed analysis of corruption risks in the last year

## Personnel

rule-candidate-in-convicted-registry-title = Candidate or employee found in the registry of persons convicted of corruption offences
rule-candidate-in-convicted-registry-description = A person being hired, transferred or promoted has an entry, still in force on the day the decision takes effect, in the public registry of persons convicted of corruption offences. A match by IIN is certain; a match by name only scores at most 90 out of 100 and must be confirmed against the court's ruling.
rule-candidate-in-convicted-registry-section = HR processes: screening for persons convicted of corruption offences
rule-candidate-in-convicted-registry-explanation = { $person }: { $action } while in the registry of persons convicted of corruption offences ({ $entry_name }, article { $offence_article }, { $court }, { $convicted_date }); matched { $matched_by }

rule-high-risk-hiring-without-screening-title = Hiring into a high-risk position without screening
rule-high-risk-hiring-without-screening-description = A person was hired into a position on the list of high-risk positions and no screening was recorded. Adal normally refuses such a record, so this rule catches hirings that came another way, for example before the position was put on the list.
rule-high-risk-hiring-without-screening-section = HR processes: screening for high-risk positions
rule-high-risk-hiring-without-screening-explanation = { $person } is hired into the high-risk position "{ $position }" on { $effective_date } with no screening on record

rule-hiring-despite-screening-concerns-title = Hired although the screening raised concerns
rule-hiring-despite-screening-concerns-description = A person was hired although the screening before hiring (the registry of persons convicted of corruption offences, relatives, business interests) ended with concerns. The reasons for hiring despite them should be checked and put on record.
rule-hiring-despite-screening-concerns-section = HR processes: screening for high-risk positions
rule-hiring-despite-screening-concerns-explanation = { $person } hired although the screening of { $screening_date } raised concerns

rule-rapid-rehiring-title = Hired again soon after dismissal
rule-rapid-rehiring-description = A person is hired by the same organisation soon after being dismissed by it. A quick return can undo a disciplinary dismissal or wipe the slate of declarations and screening clean.
rule-rapid-rehiring-section = HR processes: hiring and dismissal
rule-rapid-rehiring-explanation = { $person } is hired on { $hired_date }, { $days } days after being dismissed on { $dismissed_date }
rule-rapid-rehiring-param-min_days-label = Days since dismissal
rule-rapid-rehiring-param-min_days-help = A hiring this many days or fewer after the person's dismissal is flagged; a larger number looks further back.

## Public procurement

rule-R003-title = Short period for submitting bids
rule-R003-description = The time between the start and the end of bid submission is shorter than the set minimum. A short period leaves bidders too little time to prepare and favours whoever knew about the procurement in advance.
rule-R003-section = Public procurement: red flags when bids are invited
rule-R003-explanation = Submission period of { $period_days } days, shorter than { $minimum_days } days
rule-R003-param-threshold-label = Shortest submission period
rule-R003-param-threshold-help = A submission period shorter than this many whole days is flagged.
rule-R003-param-procurement_methods-label = Procurement methods checked
rule-R003-param-procurement_methods-help = Which procurement methods the rule checks, one per line, written as in the procurement data (for example open); leave the list empty to check every method.
rule-R003-param-procurement_method_details-label = Shortest period by type of procedure
rule-R003-param-procurement_method_details-help = A different shortest period for particular types of procedure: one row per type, with its name as in the procurement data and the period in days. Types not listed use the general shortest period.

rule-R018-title = Only one bid in a competitive procedure
rule-R018-description = Only one bidder took part in an open or selective procedure. Without competition the price is not tested, and a lone bid may mean that others were kept away or that the conditions were written for one supplier.
rule-R018-section = Public procurement: red flags when bids are invited
rule-R018-explanation = Only one tenderer bid in { $procurement_method }
rule-R018-param-procurement_methods-label = Competitive procurement methods
rule-R018-param-procurement_methods-help = Which procurement methods count as competitive, one per line, written as in the procurement data (open and selective by default); leave the list empty to check every method.

rule-R024-title = Second-lowest bid unusually close to the winning bid
rule-R024-description = The gap between the winning bid and the second-lowest valid bid is unusually small compared with the organisation's other procurements. Bids that are suspiciously close can mean that bidders agreed their prices between themselves.
rule-R024-section = Public procurement: collusion between bidders
rule-R024-explanation = In { $ocid } the second-lowest valid bid is only { $gap_percent }% above the winning bid (fence { $fence_percent }%)
rule-R024-param-threshold-label = Fixed gap (optional)
rule-R024-param-threshold-help = Leave empty to let Adal work out from all your procurements how small a gap is unusual; or enter a fixed share as a decimal fraction (0.02 means 2 percent), so that a second-lowest bid at most that much above the winning bid is flagged.

rule-R025-title = Frequent bidder that unusually rarely wins
rule-R025-description = Among the bidders who take part most often, one wins an unusually small share of the procedures in which it made a valid bid. A company that keeps bidding without winning may be a cover bidder that helps others win.
rule-R025-section = Public procurement: collusion between bidders
rule-R025-explanation = Tenderer { $tenderer } won { $processes_won } of the { $processes_with_valid_bids } contracting processes it bid validly in
rule-R025-param-percentile-label = Frequent bidders considered
rule-R025-param-percentile-help = Which bidders are checked, in percent: a bidder is considered only if it makes valid bids at least as often as this percentage of all bidders (75 keeps roughly the quarter that bids most often).
rule-R025-param-threshold-label = Fixed share of wins (optional)
rule-R025-param-threshold-help = Leave empty to let Adal work out from all bidders how low a share of wins is unusual; or enter a fixed share as a decimal fraction (0.1 means one win in ten procedures), at or below which a bidder is flagged.

rule-R028-title = Identical prices from different bidders
rule-R028-description = Different bidders offered exactly the same price in a procedure where prices are compared. Identical prices rarely happen by chance and can point to collusion.
rule-R028-section = Public procurement: collusion between bidders
rule-R028-explanation = Tenderers { $tenderers } submitted bids with identical prices

rule-R030-title = Late bid won
rule-R030-description = A bid received after the deadline for bids was accepted as valid, and its bidder won the contract. Accepting a late bid breaks the equal treatment of bidders.
rule-R030-section = Public procurement: red flags when contracts are awarded
rule-R030-explanation = A valid bid from { $tenderers } arrived after the deadline and won

rule-R035-title = All bids except the winner's rejected
rule-R035-description = Once the results were final, the winner was the only bidder with a valid bid, and the bids of the others were rejected. Rejecting every competitor can be a way of steering the contract to a chosen supplier.
rule-R035-section = Public procurement: red flags when bids are evaluated
rule-R035-explanation = Only { $winner } had valid bids and won; { $disqualified_tenderers } other tenderers were disqualified
rule-R035-param-threshold-label = Rejected competitors
rule-R035-param-threshold-help = The smallest number of other bidders with rejected bids for the procedure to be flagged; values below 1 count as 1.

rule-R036-title = Lowest bid rejected
rule-R036-description = In a procedure where prices are compared and a contract was awarded, the lowest bid was rejected although another valid bid with a price existed. Rejecting the cheapest offer costs public money and can favour a chosen supplier.
rule-R036-section = Public procurement: red flags when bids are evaluated
rule-R036-explanation = The lowest bid was disqualified, although another valid bid with a price existed and a contract was awarded

rule-R038-title = Unusually high share of rejected bids
rule-R038-description = A buyer, procurement organiser or bidder has an unusually high share of rejected bids among the bids submitted, compared with others of its kind. Frequent rejections can be a way of removing unwanted competitors.
rule-R038-section = Public procurement: red flags when bids are evaluated
rule-R038-explanation = { $organisation_kind } { $organisation }: { $disqualified_bids } of { $submitted_bids } submitted bids disqualified
rule-R038-param-threshold-label = Fixed share (optional)
rule-R038-param-threshold-help = Leave empty to let Adal work out from your data how high a share of rejected bids is unusual; or enter a fixed share as a decimal fraction (0.5 means half of the bids), at or above which an organisation is flagged.
rule-R038-param-minimum_submitted_bids-label = Fewest bids for a bidder
rule-R038-param-minimum_submitted_bids-help = How many bids a bidder must have submitted before its share of rejected bids is judged; fewer bids are too few to judge.
rule-R038-param-minimum_contracting_processes-label = Fewest bids for a buyer
rule-R038-param-minimum_contracting_processes-help = How many bids a buyer or procurement organiser must have received before its share of rejected bids is judged; fewer bids are too few to judge.

rule-R048-title = Supplier winning an unusually wide range of items
rule-R048-description = A supplier that wins often has won contracts for an unusually large number of different kinds of goods, works or services compared with other suppliers. A supplier that wins everything may be a front company or enjoy improper favour.
rule-R048-section = Public procurement: red flags when contracts are awarded
rule-R048-explanation = Supplier { $supplier } won items of { $classifications } different classifications across { $processes_won } contracting processes
rule-R048-param-digits-label = Length of the item code
rule-R048-param-digits-help = How many leading characters of an item's classification code define one kind of item; fewer characters group the items into broader kinds.
rule-R048-param-threshold-label = Fixed number of kinds (optional)
rule-R048-param-threshold-help = Leave empty to let Adal work out from all suppliers how many kinds of items are unusually many; or enter a fixed number of kinds, at or above which a supplier is flagged.
rule-R048-param-minimum_contracting_processes-label = Fewest procedures won
rule-R048-param-minimum_contracting_processes-help = How many procedures a supplier must have won before the range of its items is judged.

rule-R058-title = Winning bid unusually far below the second-lowest bid
rule-R058-description = The winning bid is unusually far below the second-lowest valid bid compared with the organisation's other procurements. A price far below the rest can mean that the winner had inside information or expects to raise the price later through changes to the contract.
rule-R058-section = Public procurement: red flags when contracts are awarded
rule-R058-explanation = In { $ocid } the winning bid is unusually low: the second-lowest valid bid is { $gap_percent }% above it (fence { $fence_percent }%)
rule-R058-param-threshold-label = Fixed gap (optional)
rule-R058-param-threshold-help = Leave empty to let Adal work out from all your procurements how large a gap is unusual; or enter a fixed share as a decimal fraction (0.3 means 30 percent), so that a winning bid at least that much below the second-lowest bid is flagged.

rule-committee-member-related-to-bidder-title = Tender committee member, or their relative, bids or supplies in person
rule-committee-member-related-to-bidder-description = A member of a procurement's tender committee, or a relative they declared, is personally a bidder or supplier in that procurement. People are matched by IIN, or by name in any spelling when a relative was declared without an IIN.
rule-committee-member-related-to-bidder-section = Public procurement: independent committees and conflict of interest
rule-committee-member-related-to-bidder-explanation = Committee member { $member }: { $party } ({ $party_id_kind } { $party_id }) is a tenderer or supplier in this procurement, and { $person_kin } { $person } { $party_link } (matched by { $bidder_matched_by })

rule-plan-or-award-published-late-title = Results published late, or procurement announced before its plan was public
rule-plan-or-award-published-late-description = The notice of a procurement's results was published later than the allowed number of days after the decision, or not at all; or bids were invited before the procurement plan was published. Late results and procurements missing from the public plan keep decisions out of public view.
rule-plan-or-award-published-late-section = Public procurement: published plans and results
rule-plan-or-award-published-late-explanation = Procurement { $ocid }: { $lateness }; { $days } days passed from { $from_date } to { $to_date } (at most { $max_days } allowed)
rule-plan-or-award-published-late-param-max_days-label = Days to publish the results
rule-plan-or-award-published-late-param-max_days-help = The most days allowed between the decision on the results and the publication of its notice; the default of 3 days is Adal's suggestion, so set it to the deadline of the regulations your organisation follows.

rule-specification-fits-one-supplier-title = Specification that only one supplier has ever met
rule-specification-fits-one-supplier-description = An open procurement asks for a combination of kinds of goods, works or services that only one of the organisation's past suppliers has ever supplied in full. A specification that only one supplier can meet may have been written for that supplier.
rule-specification-fits-one-supplier-section = Public procurement: specifications written for one supplier
rule-specification-fits-one-supplier-explanation = Tender { $ocid } asks for { $classification_count } item classifications ({ $classifications }); of the { $suppliers_with_any } suppliers ever awarded any of them, only the supplier with BIN { $supplier } has been awarded all
rule-specification-fits-one-supplier-param-min_classifications-label = Kinds of items combined
rule-specification-fits-one-supplier-param-min_classifications-help = How many different kinds of items a procurement must combine before a single supplier able to deliver them all is flagged; with only one kind the evidence is weak.

## Accountability and transparency

rule-case-deadline-missed-title = Report not acknowledged or not answered in time
rule-case-deadline-missed-description = A report made through the organisation's own reporting channel was not acknowledged within its deadline (7 days by default) or not closed with an outcome within its second deadline (3 months by default). A missed answer weighs more; the rule looks only at dates, never at what the report says.
rule-case-deadline-missed-section = Accountability and transparency: feedback channels
rule-case-deadline-missed-explanation = The report received on { $received_date }: { $acknowledgement_state } (due { $acknowledge_due_date }); { $feedback_state } (due { $feedback_due_date })

rule-feedback-not-answered-in-time-title = Report to a feedback channel not answered in time
rule-feedback-not-answered-in-time-description = A report received through one of the organisation's feedback channels (hotline, email, website, letter, in person, the Agency's portal) was answered after the deadline in the organisation's settings (15 days by default), or is still unanswered. Reports of corruption weigh more.
rule-feedback-not-answered-in-time-section = Accountability and transparency: feedback channels
rule-feedback-not-answered-in-time-explanation = Report { $receipt_code } received on { $received_date } { $answer_state }; the deadline was { $due_date } ({ $answer_days } days)

## Words for codes in explanations

# fact-<fact>-<code>: a code among a finding's facts (a relation, a sector) in words;
# an explanation shows these words wherever the fact's value is the code.

fact-situation-relative_in_reporting_line = a relative in the reporting line
fact-situation-relative_in_procurement = a relative in a procurement
fact-situation-outside_employment = outside employment
fact-situation-commercial_activity = commercial activity
fact-situation-shareholding = a shareholding
fact-situation-post_employment_offer = a job offer for after leaving

fact-proposed_resolution-recusal = stepping aside from decisions about it
fact-proposed_resolution-transfer = a transfer to another post
fact-proposed_resolution-divestment = selling the interest or placing it in trust
fact-proposed_resolution-end_activity = ending the activity
fact-proposed_resolution-no_conflict = no conflict of interest

fact-relation-spouse = spouse
fact-relation-parent = parent
fact-relation-child = child
fact-relation-sibling = brother or sister
fact-relation-grandparent = grandparent
fact-relation-grandchild = grandchild
fact-relation-parent_in_law = parent-in-law
fact-relation-child_in_law = son- or daughter-in-law
fact-relation-sibling_in_law = brother- or sister-in-law
fact-relation-other = other relative
fact-relation-declared_relative = declared relative
fact-relation-self = the member themselves

fact-interest_role-shareholder = shareholder
fact-interest_role-founder = founder
fact-interest_role-director = director
fact-interest_role-board_member = board member
fact-interest_role-employee = employee
fact-interest_role-other = holder of another interest

fact-action-hiring = hiring
fact-action-transfer = transfer
fact-action-promotion = promotion
fact-action-dismissal = dismissal

fact-tie-liability = a liability to it
fact-tie-income = income from it

fact-tie_kind-loan = bank loan
fact-tie_kind-mortgage = mortgage
fact-tie_kind-private_loan = private loan
fact-tie_kind-guarantee = guarantee
fact-tie_kind-salary = salary
fact-tie_kind-business = business
fact-tie_kind-rental = rent
fact-tie_kind-investment = investments
fact-tie_kind-gift = gift
fact-tie_kind-inheritance = inheritance
fact-tie_kind-sale_of_property = sale of property
fact-tie_kind-other = other

fact-sector-public_body = public body
fact-sector-quasi_public = quasi-public sector
fact-sector-private = private sector

fact-matched_by-iin = by IIN
fact-matched_by-name = by name only: check the judgment's identity details

fact-procurement_method-open = an open procedure
fact-procurement_method-selective = a selective procedure
fact-procurement_method-limited = a limited procedure
fact-procurement_method-direct = a direct procedure
fact-procurement_method-not_stated = a procedure whose method is not stated

fact-organisation_kind-Buyer = Buyer
fact-organisation_kind-ProcuringEntity = Procuring entity
fact-organisation_kind-Tenderer = Tenderer

fact-person_kin-self = the member
fact-person_kin-spouse = the member's spouse
fact-person_kin-parent = the member's parent
fact-person_kin-child = the member's child
fact-person_kin-sibling = the member's brother or sister
fact-person_kin-grandparent = the member's grandparent
fact-person_kin-grandchild = the member's grandchild
fact-person_kin-parent_in_law = the member's parent-in-law
fact-person_kin-child_in_law = the member's son- or daughter-in-law
fact-person_kin-sibling_in_law = the member's brother- or sister-in-law
fact-person_kin-other = the member's relative

fact-party_id_kind-iin = IIN
fact-party_id_kind-bin = BIN

fact-party_link-same_person = is that same person
fact-party_link-shareholder = is its shareholder
fact-party_link-founder = is its founder
fact-party_link-director = is its director
fact-party_link-board_member = sits on its board
fact-party_link-employee = is its employee
fact-party_link-other = has an interest in it

fact-bidder_matched_by-iin = IIN
fact-bidder_matched_by-name = name

fact-lateness-award_notice_late = the award notice was published late after the award
fact-lateness-award_notice_missing = no award notice has been published since the award
fact-lateness-plan_after_tender = the procurement plan was published after the tender opened

fact-acknowledgement_state-met = acknowledged in time
fact-acknowledgement_state-missed = acknowledged late
fact-acknowledgement_state-overdue = not acknowledged, and the deadline has passed
fact-acknowledgement_state-pending = not yet acknowledged, within the deadline

fact-feedback_state-met = closed with an outcome in time
fact-feedback_state-missed = closed with an outcome late
fact-feedback_state-overdue = no outcome, and the deadline has passed
fact-feedback_state-pending = no outcome yet, within the deadline

fact-answer_state-overdue = is still unanswered
fact-answer_state-answered_late = was answered late
