# The Azora environments, as one Terraform module fed by `azconf render --target terraform`.
#
# It declares no providers: the example stops at values Terraform has checked and computed
# (terraform_data is built into Terraform), so `terraform plan` runs offline. A real deployment adds
# its cloud and Kubernetes providers here and reads the same variables.
terraform {
  required_version = ">= 1.5"
}
