//! The conversions of the command-line arguments into the library's plain argument types.

use hazflow::assess::{effect, release_effect as release};
use hazflow::model::ContainerKind;

use super::*;

impl From<EffectCommand> for effect::EffectCommand {
    fn from(a: EffectCommand) -> Self {
        match a {
            EffectCommand::Fireball(x) => effect::EffectCommand::Fireball(x.into()),
            EffectCommand::PoolFire(x) => effect::EffectCommand::PoolFire(x.into()),
            EffectCommand::Plume(x) => effect::EffectCommand::Plume(x.into()),
            EffectCommand::Puff(x) => effect::EffectCommand::Puff(x.into()),
            EffectCommand::Tnt(x) => effect::EffectCommand::Tnt(x.into()),
            EffectCommand::Escalation(x) => effect::EffectCommand::Escalation(x.into()),
            EffectCommand::Probit(x) => effect::EffectCommand::Probit(x.into()),
            EffectCommand::Flash(x) => effect::EffectCommand::Flash(x.into()),
            EffectCommand::Release(x) => effect::EffectCommand::Release(x.into()),
            EffectCommand::DensePuff(x) => effect::EffectCommand::DensePuff(x.into()),
            EffectCommand::DensePlume(x) => effect::EffectCommand::DensePlume(x.into()),
            EffectCommand::JetFire(x) => effect::EffectCommand::JetFire(x.into()),
            EffectCommand::Vce(x) => effect::EffectCommand::Vce(x.into()),
        }
    }
}

impl From<FireballArgs> for effect::FireballArgs {
    fn from(a: FireballArgs) -> Self {
        effect::FireballArgs {
            mass_kg: a.mass_kg,
            heat_of_combustion_mj_per_kg: a.heat_of_combustion_mj_per_kg,
            pressure_bar: a.pressure_bar,
            distance_m: a.distance_m,
            relative_humidity: a.relative_humidity,
            ambient_c: a.ambient_c,
        }
    }
}

impl From<PoolFireArgs> for effect::PoolFireArgs {
    fn from(a: PoolFireArgs) -> Self {
        effect::PoolFireArgs {
            diameter_m: a.diameter_m,
            burning_rate_kg_m2_s: a.burning_rate_kg_m2_s,
            heat_of_combustion_mj_per_kg: a.heat_of_combustion_mj_per_kg,
            radiative_fraction: a.radiative_fraction,
            distance_m: a.distance_m,
            relative_humidity: a.relative_humidity,
            ambient_c: a.ambient_c,
        }
    }
}

impl From<TerrainArg> for effect::TerrainArg {
    fn from(a: TerrainArg) -> Self {
        match a {
            TerrainArg::Rural => effect::TerrainArg::Rural,
            TerrainArg::Urban => effect::TerrainArg::Urban,
        }
    }
}

impl From<PlumeArgs> for effect::PlumeArgs {
    fn from(a: PlumeArgs) -> Self {
        effect::PlumeArgs {
            stability: a.stability,
            terrain: a.terrain.into(),
            wind_m_s: a.wind_m_s,
            release_kg_s: a.release_kg_s,
            at: a.at.into(),
        }
    }
}

impl From<Receptor> for effect::Receptor {
    fn from(a: Receptor) -> Self {
        effect::Receptor {
            x_m: a.x_m,
            y_m: a.y_m,
            z_m: a.z_m,
            source_height_m: a.source_height_m,
        }
    }
}

impl From<PuffArgs> for effect::PuffArgs {
    fn from(a: PuffArgs) -> Self {
        effect::PuffArgs {
            stability: a.stability,
            wind_m_s: a.wind_m_s,
            mass_kg: a.mass_kg,
            at: a.at.into(),
            toxic: a.toxic,
        }
    }
}

impl From<TntArgs> for effect::TntArgs {
    fn from(a: TntArgs) -> Self {
        effect::TntArgs {
            mass_kg: a.mass_kg,
            heat_of_combustion_mj_per_kg: a.heat_of_combustion_mj_per_kg,
            efficiency: a.efficiency,
            distance_m: a.distance_m,
        }
    }
}

impl From<EscalationArgs> for effect::EscalationArgs {
    fn from(a: EscalationArgs) -> Self {
        effect::EscalationArgs {
            vessel: a.vessel,
            flux_kw_m2: a.flux_kw_m2,
            volume_m3: a.volume_m3,
            overpressure_kpa: a.overpressure_kpa,
            no_thresholds: a.no_thresholds,
        }
    }
}

impl From<ProbitModel> for effect::ProbitModel {
    fn from(a: ProbitModel) -> Self {
        match a {
            ProbitModel::Thermal => effect::ProbitModel::Thermal,
            ProbitModel::Lung => effect::ProbitModel::Lung,
            ProbitModel::Chlorine => effect::ProbitModel::Chlorine,
            ProbitModel::Ammonia => effect::ProbitModel::Ammonia,
            ProbitModel::HydrogenChloride => effect::ProbitModel::HydrogenChloride,
        }
    }
}

impl From<ProbitArgs> for effect::ProbitArgs {
    fn from(a: ProbitArgs) -> Self {
        effect::ProbitArgs {
            model: a.model.into(),
            flux_kw_m2: a.flux_kw_m2,
            duration_s: a.duration_s,
            overpressure_kpa: a.overpressure_kpa,
            concentration_mg_m3: a.concentration_mg_m3,
            duration_min: a.duration_min,
        }
    }
}

impl From<FlashArgs> for release::FlashArgs {
    fn from(a: FlashArgs) -> Self {
        release::FlashArgs {
            substance: a.substance,
            temperature_c: a.temperature_c,
        }
    }
}

impl From<ScenarioArg> for release::ScenarioArg {
    fn from(a: ScenarioArg) -> Self {
        match a {
            ScenarioArg::SmallLeak => release::ScenarioArg::SmallLeak,
            ScenarioArg::LargeLeak => release::ScenarioArg::LargeLeak,
            ScenarioArg::Rupture => release::ScenarioArg::Rupture,
        }
    }
}

impl From<ReleaseArgs> for release::ReleaseArgs {
    fn from(a: ReleaseArgs) -> Self {
        release::ReleaseArgs {
            container: a.container.into(),
            substance: a.substance,
            scenario: a.scenario.map(Into::into),
            hole_mm: a.hole_mm,
            inventory_kg: a.inventory_kg,
            pressure_bar: a.pressure_bar,
            temperature_c: a.temperature_c,
        }
    }
}

impl From<DenseAir> for release::DenseAir {
    fn from(a: DenseAir) -> Self {
        release::DenseAir {
            wind_m_s: a.wind_m_s,
            stability: a.stability,
            roughness_m: a.roughness_m,
            ambient_c: a.ambient_c,
            x_m: a.x_m,
            y_m: a.y_m,
        }
    }
}

impl From<DensePuffArgs> for release::DensePuffArgs {
    fn from(a: DensePuffArgs) -> Self {
        release::DensePuffArgs {
            substance: a.substance,
            mass_kg: a.mass_kg,
            air: a.air.into(),
        }
    }
}

impl From<DensePlumeArgs> for release::DensePlumeArgs {
    fn from(a: DensePlumeArgs) -> Self {
        release::DensePlumeArgs {
            substance: a.substance,
            release_kg_s: a.release_kg_s,
            duration_s: a.duration_s,
            air: a.air.into(),
        }
    }
}

impl From<JetFireArgs> for release::JetFireArgs {
    fn from(a: JetFireArgs) -> Self {
        release::JetFireArgs {
            release_kg_s: a.release_kg_s,
            substance: a.substance,
            distance_m: a.distance_m,
            relative_humidity: a.relative_humidity,
            ambient_c: a.ambient_c,
        }
    }
}

impl From<ConfinementArg> for release::ConfinementArg {
    fn from(a: ConfinementArg) -> Self {
        match a {
            ConfinementArg::ThreeD => release::ConfinementArg::ThreeD,
            ConfinementArg::TwoAndHalfD => release::ConfinementArg::TwoAndHalfD,
            ConfinementArg::TwoD => release::ConfinementArg::TwoD,
        }
    }
}

impl From<CongestionArg> for release::CongestionArg {
    fn from(a: CongestionArg) -> Self {
        match a {
            CongestionArg::Low => release::CongestionArg::Low,
            CongestionArg::Medium => release::CongestionArg::Medium,
            CongestionArg::High => release::CongestionArg::High,
        }
    }
}

impl From<VceArgs> for release::VceArgs {
    fn from(a: VceArgs) -> Self {
        release::VceArgs {
            mass_kg: a.mass_kg,
            substance: a.substance,
            confinement: a.confinement.into(),
            congestion: a.congestion.into(),
            congested_volume_m3: a.congested_volume_m3,
            distance_m: a.distance_m,
        }
    }
}

impl From<ContainerArg> for ContainerKind {
    fn from(a: ContainerArg) -> Self {
        match a {
            ContainerArg::RoadTankerPressurised => ContainerKind::RoadTankerPressurised,
            ContainerArg::RoadTankerAtmospheric => ContainerKind::RoadTankerAtmospheric,
            ContainerArg::TubeTrailer => ContainerKind::TubeTrailer,
            ContainerArg::RailTankCarPressurised => ContainerKind::RailTankCarPressurised,
            ContainerArg::RailTankCarAtmospheric => ContainerKind::RailTankCarAtmospheric,
            ContainerArg::TankBarge => ContainerKind::TankBarge,
        }
    }
}
