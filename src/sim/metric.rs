//! The vocabulary of what hazflow measures: every metric a run reports, the causes its waits are split
//! by, and the categories accidents are broken down by. The simulation, the statistics, the reports and
//! the case study all name a metric by its variant, so a misspelt name is a compile error rather than a
//! lookup that silently finds nothing; the names below are the ones written to the output files.

use std::fmt;

/// Defines [`Metric`] from one table of variants and output names, so the two cannot drift apart.
macro_rules! metrics {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// A measured quantity: the `metric` column of every output table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Metric {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Metric {
            /// Every metric, in declaration order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant,)*];

            /// The name written to output files.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Metric::$variant => $name,)*
                }
            }

            /// The metric written as `name`, if there is one (reading outputs back).
            pub fn from_name(name: &str) -> Option<Metric> {
                match name {
                    $($name => Some(Metric::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

metrics! {
    // Cargo.
    /// Tonnes demanded (by commodity or all flows, per mode).
    DemandT => "demand_t",
    /// Tonnes delivered (by commodity, chemical or all flows, per mode).
    DeliveredT => "delivered_t",
    /// Share of delivered tonnes by mode.
    ModeShare => "mode_share",
    /// Tonnes demanded of one flow.
    FlowDemandT => "flow_demand_t",
    /// Tonnes delivered of one flow.
    FlowDeliveredT => "flow_delivered_t",
    /// Tonnes of one flow not released because the destination tank was full.
    FlowNotReleasedT => "flow_not_released_t",
    /// Mean door-to-door hours of one flow.
    TransitHoursMean => "transit_hours_mean",
    // Facilities.
    /// Tonnes handled.
    ThroughputT => "throughput_t",
    /// Busy share of the working server-hours.
    Utilisation => "utilisation",
    /// Mean wait, h (detail: the cause).
    WaitHoursMean => "wait_hours_mean",
    /// 95th percentile of the wait, h (detail: the cause).
    WaitHoursP95 => "wait_hours_p95",
    /// Time-average queue length.
    QueueMean => "queue_mean",
    /// Longest queue.
    QueueMax => "queue_max",
    /// Handled tonnes per year over the design capacity.
    ThroughputShareOfDesign => "throughput_share_of_design",
    /// Time-average stock, t.
    StockMeanT => "stock_mean_t",
    /// Lowest stock, t.
    StockMinT => "stock_min_t",
    /// Highest stock, t.
    StockMaxT => "stock_max_t",
    /// Lockages run.
    Lockages => "lockages",
    /// Lockages run without a vessel (turning the chamber round).
    EmptyLockages => "empty_lockages",
    /// Vessels locked through.
    Vessels => "vessels",
    // Links and places.
    /// Hazmat tonne-kilometres.
    HazmatTkm => "hazmat_tkm",
    /// Vehicle-kilometres.
    VehicleKm => "vehicle_km",
    /// Hazmat vehicle-kilometres.
    HazmatVehicleKm => "hazmat_vehicle_km",
    /// Vehicle-hours hazmat trucks waited on the road.
    UnsafeWaitVehicleHours => "unsafe_wait_vehicle_hours",
    /// Time-average occupancy of a parking lot.
    ParkingOccupancyMean => "parking_occupancy_mean",
    /// Highest occupancy of a parking lot.
    ParkingOccupancyMax => "parking_occupancy_max",
    /// Time-average hazmat trucks waiting on the road (daily series).
    HazmatTrucksOnRoadMean => "hazmat_trucks_on_road_mean",
    // Plants.
    /// Production lost to a full tank, t.
    ProductionLostT => "production_lost_t",
    /// Consumption lost to an empty tank, t.
    ConsumerShortfallT => "consumer_shortfall_t",
    /// Hours a park process stood still: starved of an input, or stopped by a full product tank, until
    /// its restart mark.
    DowntimeHours => "downtime_hours",
    /// Truck-hours queued for a site's bays beyond its yard's waiting space, on the road.
    OverflowVehicleHours => "overflow_vehicle_hours",
    /// Truck-hours held at their loading bays or origins because the yard they were bound for was full.
    BlockedVehicleHours => "blocked_vehicle_hours",
    /// Times a park process stopped.
    Stops => "stops",
    /// Tonnes a park process made.
    ProducedT => "produced_t",
    // Mass balance.
    /// Tonnes in transit at the end of the run.
    InTransitT => "in_transit_t",
    /// Tonnes in transfer storage at the end of the run.
    InStockT => "in_stock_t",
    /// Tonnes awaiting pickup at the end of the run.
    AwaitingPickupT => "awaiting_pickup_t",
    /// Tonnes that could not be routed.
    StrandedT => "stranded_t",
    /// Mass-balance error, t.
    MassBalanceErrorT => "mass_balance_error_t",
    /// Events processed.
    Events => "events",
    // Risk, per replication.
    /// Accidents sampled.
    AccidentsSampled => "accidents_sampled",
    /// Accident frequency, per year.
    AccidentFrequencyPerYear => "accident_frequency_per_year",
    /// Frequency of accidents that kill, per year.
    LethalAccidentFrequencyPerYear => "lethal_accident_frequency_per_year",
    /// Potential loss of life, deaths per year.
    PllPerYear => "pll_per_year",
    /// F-N frequency, per year.
    FnFrequencyPerYear => "fn_frequency_per_year",
    /// F-N frequency per km of route, per km-year.
    FnFrequencyPerKmYear => "fn_frequency_per_km_year",
    /// Frequency of accidents that escalate, per year.
    DominoFrequencyPerYear => "domino_frequency_per_year",
    /// Frequency of cascades of each depth, per year.
    EscalationDepthFrequencyPerYear => "escalation_depth_frequency_per_year",
    /// Frequency of escalations the fire brigade stopped, per year.
    EscalationPreventedFrequencyPerYear => "escalation_prevented_frequency_per_year",
    /// Deaths per year the fire brigade avoided (PLL had nobody come less PLL).
    DeathsAvoidedPerYear => "deaths_avoided_per_year",
    /// Mean minutes from the release to the first assignment on scene (accidents weighted by their
    /// frequency).
    ResponseMinutesMean => "response_minutes_mean",
    /// Share of accidents whose first engine met the arrival standard (weighted by frequency).
    ResponseWithinStandardShare => "response_within_standard_share",
    /// Accident closures, per year.
    AccidentClosuresPerYear => "accident_closures_per_year",
    /// Hours of accident closures, per year.
    AccidentClosureHoursPerYear => "accident_closure_hours_per_year",
    /// Vehicle-hours of delay caused by accident closures, per year.
    AccidentDelayVehicleHoursPerYear => "accident_delay_vehicle_hours_per_year",
    // Risk, over the run.
    /// Worst ratio of the F-N curve to a criterion line.
    CriterionRatioMax => "criterion_ratio_max",
    /// Criterion lines exceeded.
    CriterionExceeded => "criterion_exceeded",
    /// Highest individual risk on the map, per year.
    IndividualRiskMaxPerYear => "individual_risk_max_per_year",
    /// Area above an individual-risk level, km2.
    AreaWithIndividualRiskKm2 => "area_with_individual_risk_km2",
    /// People living above an individual-risk level.
    PeopleWithIndividualRisk => "people_with_individual_risk",
    /// Individual risk along a transect, per year.
    IndividualRiskTransectPerYear => "individual_risk_transect_per_year",
    /// Individual risk at a protected object, per year.
    ProtectedIndividualRiskPerYear => "protected_individual_risk_per_year",
    /// Fatal accident rate of a group of workers, per 1e8 exposed hours.
    FatalAccidentRate => "fatal_accident_rate",
    /// PLL of the largest contributor, deaths per year.
    TopContributorPllPerYear => "top_contributor_pll_per_year",
    // Precision.
    /// Relative standard error of an estimate.
    RelativeStandardError => "relative_standard_error",
    /// Whether the stopping rule's target precision was met (1 or 0).
    TargetRseMet => "target_rse_met",
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Ordered by name, as the output tables are, not by declaration.
impl PartialOrd for Metric {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Metric {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

/// Why a wait happened: the `detail` of the wait metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitCause {
    /// Every wait.
    Total,
    /// Waiting for a free server while the facility was open.
    Congestion,
    /// Waiting while the facility was closed.
    Closed,
}

impl WaitCause {
    /// All causes, in reporting order.
    pub const ALL: [WaitCause; 3] = [WaitCause::Total, WaitCause::Congestion, WaitCause::Closed];

    /// The name written as the `detail` column.
    pub const fn name(self) -> &'static str {
        match self {
            WaitCause::Total => "total",
            WaitCause::Congestion => "congestion",
            WaitCause::Closed => "closed",
        }
    }
}

/// What kind of place an accident started at: the breakdown of PLL and frequency by source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceCategory {
    /// A truck on a road link.
    TransportRoad,
    /// A train on a rail link.
    TransportRail,
    /// A vessel on a waterway.
    TransportWater,
    /// A storage tank.
    StorageTank,
    /// A hose or loading arm at a site.
    Loading,
    /// A vessel moored at a berth.
    VesselAtBerth,
    /// A vessel at a lock.
    VesselAtLock,
    /// A tanker in a parking lot.
    ParkedTanker,
    /// A tanker waiting on the road.
    TankerWaitingOnRoad,
}

impl SourceCategory {
    /// All categories, in reporting order.
    pub const ALL: [SourceCategory; 9] = [
        SourceCategory::TransportRoad,
        SourceCategory::TransportRail,
        SourceCategory::TransportWater,
        SourceCategory::StorageTank,
        SourceCategory::Loading,
        SourceCategory::VesselAtBerth,
        SourceCategory::VesselAtLock,
        SourceCategory::ParkedTanker,
        SourceCategory::TankerWaitingOnRoad,
    ];

    /// The name written to output files (the `subject` of the breakdowns, the `source` of accidents).
    pub const fn name(self) -> &'static str {
        match self {
            SourceCategory::TransportRoad => "transport_road",
            SourceCategory::TransportRail => "transport_rail",
            SourceCategory::TransportWater => "transport_water",
            SourceCategory::StorageTank => "storage_tank",
            SourceCategory::Loading => "loading",
            SourceCategory::VesselAtBerth => "vessel_at_berth",
            SourceCategory::VesselAtLock => "vessel_at_lock",
            SourceCategory::ParkedTanker => "parked_tanker",
            SourceCategory::TankerWaitingOnRoad => "tanker_waiting_on_road",
        }
    }

    /// The category written as `name`, if there is one (reading outputs back).
    pub fn from_name(name: &str) -> Option<SourceCategory> {
        SourceCategory::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for SourceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_name_is_unique_and_reads_back() {
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        for &metric in Metric::ALL {
            assert_eq!(Metric::from_name(metric.name()), Some(metric));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Metric::ALL.len());
        assert_eq!(Metric::from_name("no_such_metric"), None);
    }

    #[test]
    fn every_category_reads_back() {
        for c in SourceCategory::ALL {
            assert_eq!(SourceCategory::from_name(c.name()), Some(c));
        }
    }

    #[test]
    fn metrics_sort_by_name() {
        assert!(Metric::DeliveredT < Metric::DemandT);
        assert!(Metric::WaitHoursMean > Metric::Utilisation);
    }
}
