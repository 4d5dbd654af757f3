# What the module computes from the rendered values. terraform_data stands in for the resources a
# real deployment creates (a Deployment per service, the cluster, the database), so a plan shows
# one planned resource per service, keyed by the service's name.

locals {
  # Variants travel as JSON text, since their type differs from flag to flag.
  flag_variants = { for key, flag in var.flags : key => jsondecode(flag.variants_json) }
  flag_defaults = {
    for key, flag in var.flags : key => local.flag_variants[key][flag.default_variant]
    if flag.default_variant != null
  }
  paths_by_service = {
    for name, service in var.services : name => sort([
      for route in values(var.routes) : route.path if route.service == name
    ])
  }
}

resource "terraform_data" "service" {
  for_each = var.services

  input = {
    namespace   = var.settings.cluster.namespace
    image       = each.value.image
    replicas    = each.value.replicas
    port        = each.value.port
    paths       = local.paths_by_service[each.key]
    log_level   = each.value.settings.log_level
    from_config = var.azconf_version
  }
}

resource "terraform_data" "cluster" {
  input = {
    name          = var.settings.cluster.name
    region        = var.settings.region
    node_count    = var.settings.cluster.node_count
    instance_type = var.settings.cluster.node_instance_type
  }
}

resource "terraform_data" "database" {
  input = {
    engine_version = var.settings.database.engine_version
    instance_class = var.settings.database.instance_class
    storage_gb     = var.settings.database.storage_gb
    multi_az       = var.settings.database.multi_az
  }
}
